namespace ViraLoop.Media.Pipeline.Steps;

/// <summary>The names progress reports use for the pipeline's steps, in the order they run (defined once, shared by every caller).</summary>
public static class StepNames
{
    public const string Script = "script", Voice = "voice", Timeline = "timeline", Captions = "captions", Render = "render",
        Provenance = "provenance", Hls = "hls", Thumbnail = "thumbnail", Manifest = "manifest", Visuals = "visuals", Package = "package";

    public static IReadOnlyList<string> All { get; } = [Script, Voice, Timeline, Captions, Render, Provenance, Hls, Thumbnail, Manifest];
}
