namespace ViraLoop.Media.Visuals.Backends;

/// <summary>
/// A finished scene visual: a silent H.264 MP4 at <see cref="Path"/> of the job's size, frame rate and duration, and what
/// made it (backend, its version, the vendor task and a one-line description of how the vendor's output was fitted).
/// </summary>
public sealed record VisualClip(
    string Path,
    int Width,
    int Height,
    int Fps,
    double DurationSeconds,
    string Backend,
    string BackendVersion,
    string TaskId,
    string MadeBy);
