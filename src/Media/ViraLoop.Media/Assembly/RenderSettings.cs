namespace ViraLoop.Media.Assembly;

/// <summary>Output format. The master is 1080×1920; preview is 540×960 (TikTok's minimum) for fast iteration.</summary>
public sealed record RenderSettings(int Width, int Height, int Fps, string Preset, int Crf, int BackgroundScale)
{
    public static RenderSettings Master { get; } = new(1080, 1920, 30, "veryfast", 20, 3);
    public static RenderSettings Preview { get; } = new(540, 960, 30, "veryfast", 23, 2);

    public int BackgroundWidth => Width / BackgroundScale;
    public int BackgroundHeight => Height / BackgroundScale;
}
