namespace ViraLoop.Media.Visuals.Backends;

/// <summary>
/// What one scene needs from a visual backend: what the scene says and shows, its look, and the clip's geometry.
/// Width and height are even (H.264 4:2:0); the clip is portrait for a vertical short.
/// </summary>
public sealed record VisualJob(
    string SceneId,
    string Narration,
    string VisualDescription,
    string Style,
    int Width,
    int Height,
    double DurationSeconds,
    int Fps,
    int Seed,
    bool Safer = false)
{
    /// <summary>Throws when the job cannot be rendered as asked.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(SceneId)) throw new ArgumentException("A visual job needs a scene id.", nameof(SceneId));
        if (string.IsNullOrWhiteSpace(Narration) && string.IsNullOrWhiteSpace(VisualDescription))
            throw new ArgumentException($"Scene {SceneId} has neither narration nor a visual description to draw from.", nameof(VisualDescription));
        if (Width is < 16 or > 4096 || Width % 2 != 0) throw new ArgumentOutOfRangeException(nameof(Width), Width, "Width must be even, 16..4096.");
        if (Height is < 16 or > 4096 || Height % 2 != 0) throw new ArgumentOutOfRangeException(nameof(Height), Height, "Height must be even, 16..4096.");
        if (DurationSeconds is <= 0 or > 180) throw new ArgumentOutOfRangeException(nameof(DurationSeconds), DurationSeconds, "Duration must be in (0, 180] seconds.");
        if (Fps is < 1 or > 60) throw new ArgumentOutOfRangeException(nameof(Fps), Fps, "Frame rate must be 1..60.");
    }
}
