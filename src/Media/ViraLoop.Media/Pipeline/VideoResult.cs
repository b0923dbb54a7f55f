using ViraLoop.Media.Captions;

namespace ViraLoop.Media.Pipeline;

public sealed record VideoResult(
    string VideoPath,
    string ThumbnailPath,
    string ManifestPath,
    double DurationSeconds,
    Script Script,
    IReadOnlyList<TimedScene> Scenes,
    IReadOnlyDictionary<string, double> StepSeconds,
    IReadOnlyList<string> Notes);
