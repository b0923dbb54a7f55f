using ViraLoop.Bench;

var what = args.FirstOrDefault() ?? "video";
switch (what)
{
    case "video": await VideoBench.RunAsync(args); break;
    case "frames": FrameBench.Run(); break;
    case "watermark": await WatermarkBench.RunAsync(args); break;
    case "trust": await TrustBench.RunAsync(args); break;
    case "languages": await LanguagesBench.RunAsync(args); break;
    case "dna": await DnaBench.RunAsync(args); break;
    case "pipeline": await PipelineBench.RunAsync(args); break;
    case "api": await ApiBench.RunAsync(args); break;
    case "bandits": BanditBench.Run(args); break;
    case "ingest": await IngestBench.RunAsync(args); break;
    case "silo": await BenchSilo.RunAsync(args); break;
    case "calls-inproc-child": await OrleansBench.InProcessChildAsync(args.SkipWhile(a => a != "--kind").Skip(1).FirstOrDefault() ?? "bare"); break;
    case var o when o.StartsWith("orleans", StringComparison.Ordinal): await OrleansBench.RunAsync(o, args); break;
    default:
        Console.Error.WriteLine($"unknown benchmark '{what}'; known: video, frames, bandits, ingest, dna, watermark, trust, languages, pipeline, orleans, orleans-calls, orleans-calls-inproc, orleans-calls-cluster, orleans-storage, orleans-streams, orleans-failover, orleans-start");
        return 2;
}
return 0;
