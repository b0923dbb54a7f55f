// A silo process for the multi-process tests: the real ViraLoop silo configuration (SiloHosting.UseViraLoop) plus
// the test grains. Configuration from the environment (ViraLoop__…) and the command line (--ViraLoop:SiloId x).
// Prints READY when the silo has joined, STOPPED when it has shut down gracefully.
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using ViraLoop.Hosting;

var builder = Host.CreateApplicationBuilder(args);
builder.Logging.ClearProviders().AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
var options = ViraLoopOptions.From(builder.Configuration);
var extraRoles = builder.Configuration["Role"] is { Length: > 0 } r ? new[] { r } : [];
builder.UseOrleans(silo =>
{
    silo.UseViraLoop(options, extraRoles);
    silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
    silo.AddPlacementDirector<ViraLoop.TestGrains.NamedSiloPlacement, ViraLoop.TestGrains.NamedSiloPlacementDirector>();
});
var host = builder.Build();
var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
lifetime.ApplicationStarted.Register(() => Console.WriteLine($"READY {options.SiloId}"));
await host.RunAsync();
Console.WriteLine($"STOPPED {options.SiloId}");
