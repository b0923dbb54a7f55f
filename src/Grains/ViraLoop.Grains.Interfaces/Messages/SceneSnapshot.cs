namespace ViraLoop.Grains.Messages;

/// <summary>One scene as progress shows it: status, the preview frame (a blob key) once its visual is ready, the backend that made it, a note.</summary>
[GenerateSerializer, Immutable, Alias("vl.scene-snapshot")]
public sealed record SceneSnapshot(
    [property: Id(0)] int Index,
    [property: Id(1)] SceneStatus Status,
    [property: Id(2)] string? PreviewKey = null,
    [property: Id(3)] string? Backend = null,
    [property: Id(4)] string? Note = null);
