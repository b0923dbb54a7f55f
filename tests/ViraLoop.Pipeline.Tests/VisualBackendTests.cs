using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using ViraLoop.Grains.Execution;
using ViraLoop.Grains.Messages;
using ViraLoop.Media;
using ViraLoop.Media.Tests.Visuals.Backends;
using ViraLoop.Media.Visuals.Backends;

namespace ViraLoop.Pipeline.Tests;

/// <summary>
/// Scene visuals from a text-to-video vendor (a local server that follows Runway's documented contract): clips in the
/// video, the vendor's rate limits retried after its Retry-After, and a vendor that keeps failing replaced by the
/// procedural renderer, with the manifest saying so. Paid work is created once per scene.
/// </summary>
public sealed class VisualBackendTests
{
    private static void UseRunway(IServiceCollection services, RunwayContractServer server, Func<string>? defaultBackend = null) =>
        services.AddSingleton(new VisualBackendCatalog(defaultBackend ?? (() => VisualBackendCatalog.Procedural), new Dictionary<string, Func<IVisualBackend>>
        {
            ["runway"] = () => new RunwayVideoBackend(new HttpClient(), new RunwayBackendOptions(RunwayContractServer.Key, server.BaseUrl)),
        }));

    [Fact]
    public async Task RunwayScenes_AreClipsInTheVideo_EachCreatedOnce_AfterTheVendorsRateLimit()
    {
        var creates = 0;
        using var server = new RunwayContractServer(await VendorMedia.ClipAsync());
        server.CreateInterceptor = _ => Interlocked.Increment(ref creates) == 1
            ? VendorContractServer.Response.Json(new { error = "Too many requests." }, 429, new Dictionary<string, string> { ["Retry-After"] = "1" })
            : null;
        await using var vl = await Embedded.StartAsync(s => UseRunway(s, server));
        var (watch, _) = await vl.SubmitAsync(Embedded.ShortOrder("Why octopuses are smart", seed: 21) with { VisualBackend = "runway" });
        await using var _w = watch;
        var done = await watch.FinishedAsync();
        Assert.True(done.Status == JobStatus.Completed, done.Error);
        Assert.All(done.Scenes, s => Assert.Equal("runway", s.Backend));
        // One refused create (429), then exactly one accepted create per scene.
        Assert.Equal(done.Scenes.Count + 1, creates);
        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(await vl.PathOfAsync(done.Outputs["manifest"])))!;
        Assert.All(manifest["scenes"]!.AsArray(), s => Assert.Equal("clip.mp4", s!["clip"]!.GetValue<string>()));
        var (duration, _) = await Probe.FileAsync(await vl.PathOfAsync(done.Outputs["video"]));
        Assert.InRange(duration, 5, 9);
    }

    [Fact]
    public async Task AVendorClipThatStrobes_IsMeasured_AndTheVideoIsNotDelivered()
    {
        using var server = new RunwayContractServer(await VendorMedia.StrobeClipAsync());
        await using var vl = await Embedded.StartAsync(s => UseRunway(s, server));
        var (watch, _) = await vl.SubmitAsync(Embedded.ShortOrder("Why lighthouses flash", seed: 23) with { VisualBackend = "runway" });
        await using var _w = watch;
        var done = await watch.FinishedAsync();
        Assert.Equal(JobStatus.Failed, done.Status);
        Assert.Contains("not delivered", done.Error);
        Assert.Contains("WCAG 2.3.1", done.Error);
        Assert.Contains("flashes", done.Withheld);
        Assert.False(done.Outputs.ContainsKey("video"), "no video is stored for delivery");
        Assert.Equal(JobStatus.Failed, watch.Events[^1].Status);
    }

    [Fact]
    public async Task AVendorThatKeepsFailing_IsNotPaidAgainAndAgain_TheSceneFallsBackToProcedural_AndTheManifestSaysSo()
    {
        using var server = new RunwayContractServer(await VendorMedia.ClipAsync())
        {
            CreateAnswer = _ => VendorContractServer.Response.Json(new { error = "Service unavailable." }, 503,
                new Dictionary<string, string> { ["Retry-After"] = "0" }),
        };
        await using var vl = await Embedded.StartAsync(s => UseRunway(s, server));
        var (watch, _) = await vl.SubmitAsync(Embedded.ShortOrder("Why the sea is salty", seed: 22) with { VisualBackend = "runway" });
        await using var _w = watch;
        var done = await watch.FinishedAsync();
        Assert.True(done.Status == JobStatus.Completed, done.Error);
        Assert.All(done.Scenes, s => Assert.Equal("procedural", s.Backend));
        Assert.All(done.Scenes, s => Assert.Contains("procedural renderer drew it", s.Note));
        // The vendor's own retryable answer is retried a few times per scene, never blindly for ever.
        Assert.InRange(server.Creates, done.Scenes.Count, done.Scenes.Count * 4);
        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(await vl.PathOfAsync(done.Outputs["manifest"])))!;
        Assert.Contains(manifest["notes"]!.AsArray(), n => n!.GetValue<string>().Contains("runway could not make scene 1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheDefaultBackend_IsReadLive_SoAConfigurationChangeAppliesWithoutARestart()
    {
        using var server = new RunwayContractServer(await VendorMedia.ClipAsync());
        var backend = VisualBackendCatalog.Procedural;
        await using var vl = await Embedded.StartAsync(s => UseRunway(s, server, () => backend));
        var (first, _) = await vl.SubmitAsync(Embedded.ShortOrder("How bees talk by dancing", seed: 23));
        await using var _f = first;
        Assert.All((await first.FinishedAsync()).Scenes, s => Assert.Equal("procedural", s.Backend));
        backend = "runway";
        var (second, _) = await vl.SubmitAsync(Embedded.ShortOrder("How bees talk by dancing", seed: 24));
        await using var _s = second;
        var done = await second.FinishedAsync();
        Assert.True(done.Status == JobStatus.Completed, done.Error);
        Assert.All(done.Scenes, s => Assert.Equal("runway", s.Backend));
        Assert.Equal(done.Scenes.Count, server.Creates);
    }
}
