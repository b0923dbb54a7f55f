using System.Text.Json;
using ViraLoop.Media.Pipeline;

namespace ViraLoop.Media.Tests;

/// <summary>
/// Renders the videos the pipeline tests inspect, once for the whole test run (a collection fixture shared by every class
/// in <see cref="RenderedVideosCollection"/>): small previews, and one short full-size master.
/// </summary>
public sealed class RenderedVideos : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("vl-media-tests-").FullName;

    public VideoResult English { get; private set; } = null!;
    public VideoResult EnglishWithoutCaptions { get; private set; } = null!;
    public VideoResult Polish { get; private set; } = null!;
    public VideoResult Gradient { get; private set; } = null!;
    public VideoResult Geometric { get; private set; } = null!;
    /// <summary><see cref="Gradient"/>'s request rendered without the invisible watermark (every other render carries one).</summary>
    public VideoResult GradientUnmarked { get; private set; } = null!;
    /// <summary>The only full-size render of the suite: about 5 s at 1080×1920, as a user's master comes out.</summary>
    public VideoResult Master { get; private set; } = null!;

    public static VideoRequest EnglishRequest => new()
    {
        Topic = "Why octopuses are smart", DurationSeconds = 8, Preview = true, Seed = 7, Style = "auto", Palette = "neon",
    };

    private static readonly Guid EnglishVideoId = Guid.Parse("6f1c2a8e-3b4d-4e5f-8a9b-0c1d2e3f4a5b");

    public static VideoRequest MasterRequest => new() { Topic = "Coffee in the morning", DurationSeconds = 5, Preview = false, Seed = 5 };

    public async Task InitializeAsync()
    {
        var pipeline = VideoPipeline.CreateOffline();
        var styled = new VideoRequest { Topic = "Deep sea light", DurationSeconds = 5, Preview = true, Seed = 11, Palette = "ocean" };
        // Rendered two at a time: each render is partly single-threaded (voice, frames), so a pair keeps 2 CI cores busy.
        var renders = new List<Func<Task>>
        {
            async () => Master = await pipeline.RunAsync(MasterRequest, Path.Combine(_root, "master")),
            // The pair compared with and without captions carries one video id, so one watermark: only the captions differ.
            async () => English = await new VideoPipeline(new ViraLoop.Media.Writing.TemplateScriptWriter(), new ViraLoop.Media.Speech.EspeakSynthesizer()) { NewVideoId = () => EnglishVideoId }
                .RunAsync(EnglishRequest, Path.Combine(_root, "en")),
            async () => EnglishWithoutCaptions = await new VideoPipeline(new ViraLoop.Media.Writing.TemplateScriptWriter(), new ViraLoop.Media.Speech.EspeakSynthesizer()) { BurnCaptions = false, NewVideoId = () => EnglishVideoId }
                .RunAsync(EnglishRequest, Path.Combine(_root, "en-nocap")),
            async () => Polish = await pipeline.RunAsync(new VideoRequest
            {
                Topic = "Dlaczego ośmiornice są mądre", Language = "pl", DurationSeconds = 8, Preview = true, Seed = 3,
            }, Path.Combine(_root, "pl")),
            async () => Gradient = await pipeline.RunAsync(styled with { Style = "gradient" }, Path.Combine(_root, "gradient")),
            async () => Geometric = await pipeline.RunAsync(styled with { Style = "geometric" }, Path.Combine(_root, "geometric")),
            async () => GradientUnmarked = await new VideoPipeline(new ViraLoop.Media.Writing.TemplateScriptWriter(), new ViraLoop.Media.Speech.EspeakSynthesizer()) { EmbedWatermark = false }
                .RunAsync(styled with { Style = "gradient" }, Path.Combine(_root, "gradient-unmarked")),
        };
        using var gate = new SemaphoreSlim(2);
        await Task.WhenAll(renders.Select(async render =>
        {
            await gate.WaitAsync();
            try { await render(); }
            finally { gate.Release(); }
        }));
    }

    public static JsonElement Manifest(VideoResult r) => JsonDocument.Parse(File.ReadAllText(r.ManifestPath)).RootElement.Clone();

    public static string Dir(VideoResult r) => Path.GetDirectoryName(r.VideoPath)!;

    public Task DisposeAsync()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }
}

[CollectionDefinition(Name)]
public sealed class RenderedVideosCollection : ICollectionFixture<RenderedVideos>
{
    public const string Name = "rendered videos";
}
