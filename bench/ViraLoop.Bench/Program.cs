using ViraLoop.Bench;

var what = args.FirstOrDefault() ?? "runtime";
switch (what)
{
    case "runtime": await RuntimeBench.RunAsync(args); break;
    case "video": await VideoBench.RunAsync(args); break;
    case "frames": FrameBench.Run(); break;
    default:
        Console.Error.WriteLine($"unknown benchmark '{what}'; known: runtime, video");
        return 2;
}
return 0;
