using System.Text.Json;
using System.Text.Json.Nodes;
using ViraLoop.Grains.Messages;
using ViraLoop.Media.Pipeline;

namespace ViraLoop.Pipeline.Tests;

/// <summary>A job on the embedded silo, from order to files: states, progress, outputs, and the same video as the in-process pipeline.</summary>
public sealed class JobLifecycleTests
{
    [Fact]
    public async Task AJob_GoesThroughItsStatesInOrder_PublishingOrderedProgress_AndDeliversAPlayableShort()
    {
        await using var vl = await Embedded.StartAsync();
        var (watch, accepted) = await vl.SubmitAsync(Embedded.ShortOrder());
        await using var _ = watch;
        Assert.True(accepted.Status is JobStatus.Accepted or JobStatus.Scripting, $"a new job is {accepted.Status}");
        var done = await watch.FinishedAsync();
        Assert.True(done.Status == JobStatus.Completed, $"the job ended {done.Status}: {done.Error}");

        var events = watch.Events;
        // Sequence numbers only grow; statuses come in the documented order; percent never goes back.
        Assert.True(events.Zip(events.Skip(1)).All(p => p.Second.Sequence > p.First.Sequence), "sequence numbers must grow");
        Assert.Equal(JobStatus.Accepted, events[0].Status);
        var statuses = events.Select(e => e.Status).Distinct().ToList();
        Assert.Equal([JobStatus.Scripting, JobStatus.Scenes, JobStatus.Assembly, JobStatus.Packaging, JobStatus.Completed],
            statuses.Where(s => s != JobStatus.Accepted).ToList());
        Assert.True(events.Zip(events.Skip(1)).All(p => p.Second.Percent >= p.First.Percent), "percent must not go back: "
            + string.Join(",", events.Select(e => e.Percent)));
        Assert.Equal(100, events[^1].Percent);

        // Every scene announced ready with a preview frame that is a real picture.
        var ready = events.Where(e => e.Scene is { Status: SceneStatus.Ready }).Select(e => e.Scene!).DistinctBy(s => s.Index).ToList();
        Assert.Equal(done.Scenes.Count, ready.Count);
        foreach (var scene in ready)
        {
            var preview = await vl.PathOfAsync(scene.PreviewKey!);
            Assert.True(await Probe.LumaSpreadAsync(preview) > 3, $"scene {scene.Index}'s preview is flat");
        }
        Assert.Contains(events, e => e.Status == JobStatus.Assembly && e.StepFraction is > 0 and < 1);

        // The files: a 540x960 H.264 + AAC MP4 as long as the manifest says, HLS naming files that exist, a thumbnail.
        var video = await vl.PathOfAsync(done.Outputs["video"]);
        var (duration, streams) = await Probe.FileAsync(video);
        var v = Assert.Single(streams, s => s.CodecType == "video");
        Assert.Equal(("h264", 540, 960), (v.CodecName, v.Width, v.Height));
        Assert.Contains(streams, s => s.CodecType == "audio" && s.CodecName == "aac");
        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(await vl.PathOfAsync(done.Outputs["manifest"])))!;
        Assert.InRange(duration, manifest["output"]!["durationSeconds"]!.GetValue<double>() - 0.1, manifest["output"]!["durationSeconds"]!.GetValue<double>() + 0.1);
        var (hlsDuration, _) = await Probe.FileAsync(await vl.PathOfAsync(done.Outputs["hls"]));
        Assert.InRange(hlsDuration, duration - 0.1, duration + 0.1);
        Assert.True(await Probe.LumaSpreadAsync(await vl.PathOfAsync(done.Outputs["thumbnail"])) > 3);
        Assert.Equal(done.Seed, manifest["scenes"]![0]!["seed"]!.GetValue<int>() - 0);
    }

    [Fact]
    public async Task TheSameRequest_OnGrains_GivesTheSameScriptScenesAndTimings_AsTheInProcessPipeline()
    {
        var order = Embedded.ShortOrder("How bees talk by dancing", seed: 5);
        var direct = Directory.CreateTempSubdirectory("vl-direct-").FullName;
        var result = await VideoPipeline.CreateOffline().RunAsync(order.ToRequest(), direct);

        await using var vl = await Embedded.StartAsync();
        var (watch, _) = await vl.SubmitAsync(order);
        await using var __ = watch;
        var done = await watch.FinishedAsync();
        Assert.Equal(JobStatus.Completed, done.Status);
        var onGrains = JsonNode.Parse(await File.ReadAllTextAsync(await vl.PathOfAsync(done.Outputs["manifest"])))!;
        var inProcess = JsonNode.Parse(await File.ReadAllTextAsync(result.ManifestPath))!;
        Assert.Equal(ManifestView.Comparable(inProcess), ManifestView.Comparable(onGrains));
    }
}
