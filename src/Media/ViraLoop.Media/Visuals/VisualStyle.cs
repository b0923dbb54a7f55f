namespace ViraLoop.Media.Visuals;

public enum VisualStyle { Gradient, Particles, Geometric, Kinetic, Zoom }

/// <summary>
/// How one scene looks and when it plays on the timeline: the procedural renderer's style, palette and seed, or, when
/// <paramref name="ClipPath"/> is set, a video clip made for the scene (by a remote visual backend) that replaces them.
/// </summary>
public sealed record SceneVisual(VisualStyle Style, Palette Palette, int Seed, double Start, double Duration, string? ClipPath = null)
{
    public double End => Start + Duration;
}

public static class VisualStyles
{
    public static readonly string[] Names = ["auto", "gradient", "particles", "geometric", "kinetic", "zoom"];

    /// <summary>
    /// The style of scene <paramref name="index"/>: the one asked for; for "auto", the motif its text calls for
    /// (<see cref="VisualMotifs"/>), else a rotation that changes at every cut. The hook is kinetic typography.
    /// </summary>
    public static VisualStyle ForScene(string requested, int index, int seed, string? sceneText = null, string language = "en")
    {
        if (requested.Equals("auto", StringComparison.OrdinalIgnoreCase) && index > 0 && sceneText is not null && VisualMotifs.Match(sceneText, language) is { } motif)
            return motif.Style;
        if (!Names.Contains(requested, StringComparer.OrdinalIgnoreCase))
            throw new MediaInputException($"Unknown style '{requested}'. Known: {string.Join(", ", Names)}.");
        if (!requested.Equals("auto", StringComparison.OrdinalIgnoreCase)) return Enum.Parse<VisualStyle>(requested, ignoreCase: true);
        VisualStyle[] rotation = [VisualStyle.Kinetic, VisualStyle.Gradient, VisualStyle.Particles, VisualStyle.Geometric, VisualStyle.Zoom];
        return index == 0 ? VisualStyle.Kinetic : rotation[1 + (index - 1 + seed) % 4];
    }
}
