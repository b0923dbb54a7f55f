using System.Text.Json;
using ViraLoop.Media.Pipeline;

namespace ViraLoop.Media.Tests;

/// <summary>Renders the small preview videos the pipeline tests inspect, once for the whole class.</summary>
public sealed class RenderedVideos : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("vl-media-tests-").FullName;

    public VideoResult English { get; private set; } = null!;
    public VideoResult EnglishWithoutCaptions { get; private set; } = null!;
    public VideoResult Polish { get; private set; } = null!;
    public VideoResult Gradient { get; private set; } = null!;
    public VideoResult Geometric { get; private set; } = null!;

    public static VideoRequest EnglishRequest => new()
    {
        Topic = "Why octopuses are smart", DurationSeconds = 8, Preview = true, Seed = 7, Style = "auto", Palette = "neon",
    };

    public async Task InitializeAsync()
    {
        var pipeline = VideoPipeline.CreateOffline();
        English = await pipeline.RunAsync(EnglishRequest, Path.Combine(_root, "en"));
        EnglishWithoutCaptions = await new VideoPipeline(new ViraLoop.Media.Writing.TemplateScriptWriter(), new ViraLoop.Media.Speech.EspeakSynthesizer()) { BurnCaptions = false }
            .RunAsync(EnglishRequest, Path.Combine(_root, "en-nocap"));
        Polish = await pipeline.RunAsync(new VideoRequest
        {
            Topic = "Dlaczego ośmiornice są mądre", Language = "pl", DurationSeconds = 8, Preview = true, Seed = 3,
        }, Path.Combine(_root, "pl"));
        var styled = new VideoRequest { Topic = "Deep sea light", DurationSeconds = 5, Preview = true, Seed = 11, Palette = "ocean" };
        Gradient = await pipeline.RunAsync(styled with { Style = "gradient" }, Path.Combine(_root, "gradient"));
        Geometric = await pipeline.RunAsync(styled with { Style = "geometric" }, Path.Combine(_root, "geometric"));
    }

    public static JsonElement Manifest(VideoResult r) => JsonDocument.Parse(File.ReadAllText(r.ManifestPath)).RootElement.Clone();

    public Task DisposeAsync()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }
}
