using ViraLoop.Bench;

var what = args.FirstOrDefault() ?? "video";
switch (what)
{
    case "video": await VideoBench.RunAsync(args); break;
    case "frames": FrameBench.Run(); break;
    default:
        Console.Error.WriteLine($"unknown benchmark '{what}'; known: video, frames");
        return 2;
}
return 0;
