using System.Security.Cryptography;
using ViraLoop.Cluster.Tests.Infrastructure;
using ViraLoop.Grains;
using ViraLoop.Grains.Execution;
using ViraLoop.Grains.Messages;
using ViraLoop.Media;
using ViraLoop.Media.Tests.Visuals.Backends;
using ViraLoop.Pipeline.Tests;
using Xunit;
using Xunit.Abstractions;

namespace ViraLoop.Cluster.Tests;

/// <summary>
/// Scene visuals from a paid text-to-video vendor (a local server that follows Runway's documented contract) on GPU
/// silo processes: a GPU silo killed or frozen mid-task never makes the job pay twice, and a frozen worker that wakes up
/// cannot overwrite the result that replaced its own.
/// </summary>
[Collection("processes")]
public sealed class PaidWorkClusterTests(ITestOutputHelper output)
{
    private static Dictionary<string, string> Vendor(RunwayContractServer server) => new()
    {
        ["RUNWAYML_BASE_URL"] = server.BaseUrl, ["RUNWAYML_API_SECRET"] = RunwayContractServer.Key,
    };

    private static VideoOrder Order(int seed) => new()
    {
        Topic = "Why octopuses are smart", DurationSeconds = 6, Preview = true, Seed = seed, VisualBackend = "runway",
    };

    private static int StoredHandles(ProcessCluster cluster) =>
        Directory.Exists(Path.Combine(cluster.Blobs, "cache", "visual"))
            ? Directory.GetFiles(Path.Combine(cluster.Blobs, "cache", "visual"), "handle.json", SearchOption.AllDirectories).Length : 0;

    [Fact]
    public async Task KillMinus9_OfTheGpuSilo_BetweenCreateAndDownload_ResumesTheSameVendorTasks_CreatedExactlyOnce()
    {
        using var server = new RunwayContractServer(await VendorMedia.ClipAsync())
        {
            Lifecycle = ["PENDING", "RUNNING", "RUNNING", "RUNNING", "RUNNING", "RUNNING", "SUCCEEDED"],
        };
        await using var cluster = await ProcessCluster.CreateAsync();
        await cluster.StartSiloAsync("silo-1");
        var gpu1 = await cluster.StartSiloAsync("gpu-1", gpu: true, environment: Vendor(server));
        var client = await cluster.ConnectAsync();
        await using var watch = await JobWatch.StartAsync(client, JobKeys.Of("acme", "paid"));
        var accepted = await watch.Job.Submit(Order(31));

        // Every scene's task is created and its handle stored; none is downloaded yet.
        await Wait.UntilAsync(async () => StoredHandles(cluster) >= Math.Max(1, (await watch.Job.GetSnapshot()).Scenes.Count),
            "every scene's vendor task to be created", TimeSpan.FromMilliseconds(100), 120);
        var scenes = (await watch.Job.GetSnapshot()).Scenes.Count;
        Assert.DoesNotContain(server.Requests, r => r.Path.StartsWith("/cdn/", StringComparison.Ordinal));
        gpu1.Kill();
        output.WriteLine($"killed gpu-1 after {server.Creates} creates");
        await cluster.StartSiloAsync("gpu-2", gpu: true, environment: Vendor(server));

        var done = await watch.FinishedAsync(240);
        Assert.True(done.Status == JobStatus.Completed, done.Error);
        Assert.All(done.Scenes, s => Assert.Equal("runway", s.Backend));
        Assert.Equal(scenes, server.Creates);
        var dispatches = await client.Grains.GetGrain<ISchedulerGrain>(SchedulerKeys.Gpu).GetDispatches();
        Assert.All(dispatches.Where(d => d.Outcome == "completed"), d => Assert.Equal("gpu-2", d.WorkerId));
    }

    [Fact]
    public async Task ASigstoppedGpuSilo_LosesItsLeases_ItsWorkIsRedoneOnTheOther_AndWhenItWakesItCannotOverwriteTheNewerResult()
    {
        using var server = new RunwayContractServer(await VendorMedia.ClipAsync())
        {
            Lifecycle = ["PENDING", "RUNNING", "RUNNING", "RUNNING", "SUCCEEDED"],
        };
        await using var cluster = await ProcessCluster.CreateAsync();
        await cluster.StartSiloAsync("silo-1");
        await cluster.StartSiloAsync("gpu-1", gpu: true, environment: Vendor(server));
        await cluster.StartSiloAsync("gpu-2", gpu: true, environment: Vendor(server));
        var client = await cluster.ConnectAsync();
        var scheduler = client.Grains.GetGrain<ISchedulerGrain>(SchedulerKeys.Gpu);
        await using var watch = await JobWatch.StartAsync(client, JobKeys.Of("acme", "frozen"));
        await watch.Job.Submit(Order(32));

        GpuDispatch? held = null;
        await Wait.UntilAsync(async () => (held = (await scheduler.GetDispatches()).FirstOrDefault(d => d.Outcome == "leased")) is not null,
            "a GPU worker to lease a scene", TimeSpan.FromMilliseconds(50), 120);
        var frozen = cluster.Silos.Single(s => s.SiloId == held!.WorkerId);
        var other = held!.WorkerId == "gpu-1" ? "gpu-2" : "gpu-1";
        frozen.Pause();
        output.WriteLine($"SIGSTOP {frozen.SiloId} holding {held.ItemId}");

        var done = await watch.FinishedAsync(240);
        Assert.True(done.Status == JobStatus.Completed, done.Error);
        var dispatches = await scheduler.GetDispatches();
        output.WriteLine(string.Join(", ", dispatches.Select(d => $"{d.ItemId[..8]}@{d.WorkerId}:{d.Outcome}")));
        // Every scene was delivered by the worker that kept running; the frozen one's lease never completed.
        Assert.All(dispatches.Where(d => d.Outcome == "completed"), d => Assert.Equal(other, d.WorkerId));
        Assert.DoesNotContain(dispatches, d => d.WorkerId == frozen.SiloId && d.Outcome == "completed");

        // Wake it: the cluster has declared it dead, so it stops; whatever it still sends is refused.
        var previews = done.Scenes.Select(s => s.PreviewKey!).ToList();
        var before = previews.Select(p => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(Path.Combine(cluster.Blobs, p))))).ToList();
        frozen.Resume();
        await Wait.ForAsync(frozen.Exited, $"{frozen.SiloId} to stop after waking up declared dead", 60);
        var after = await watch.Job.GetSnapshot();
        Assert.Equal(previews, after.Scenes.Select(s => s.PreviewKey!).ToList());
        Assert.Equal(before, previews.Select(p => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(Path.Combine(cluster.Blobs, p))))).ToList());
        Assert.DoesNotContain(await scheduler.GetDispatches(), d => d.WorkerId == frozen.SiloId && d.Outcome == "completed");
        // Paid once per scene, plus at most once more for each item the frozen worker held: it may have been stopped
        // between the vendor's create and storing the task's handle (it pulls all it has slots for at once).
        var heldWhenFrozen = dispatches.Count(d => d.WorkerId == frozen.SiloId);
        Assert.InRange(server.Creates, done.Scenes.Count, done.Scenes.Count + heldWhenFrozen);
    }
}
