using ViraLoop.Cli;

return await CliApp.RunAsync(args);
