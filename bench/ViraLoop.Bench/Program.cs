using ViraLoop.Bench;

var what = args.FirstOrDefault() ?? "runtime";
switch (what)
{
    case "runtime": await RuntimeBench.RunAsync(args); break;
    default:
        Console.Error.WriteLine($"unknown benchmark '{what}'; known: runtime");
        return 2;
}
return 0;
