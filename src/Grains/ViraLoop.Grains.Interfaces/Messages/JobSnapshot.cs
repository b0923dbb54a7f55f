namespace ViraLoop.Grains.Messages;

/// <summary>
/// A job as its owner sees it: state, percent, the step running, every scene, ETA, the error in words when it failed,
/// and the finished artefacts (name → blob key: video, hls, thumbnail, captions, manifest). <see cref="Withheld"/>: why a
/// video that was made is not delivered (it failed a safety check); its downloads answer 451.
/// </summary>
[GenerateSerializer, Immutable, Alias("vl.job-snapshot")]
public sealed record JobSnapshot(
    [property: Id(0)] string JobId,
    [property: Id(1)] string TenantId,
    [property: Id(2)] JobStatus Status,
    [property: Id(3)] double Percent,
    [property: Id(4)] string? Step,
    [property: Id(5)] IReadOnlyList<SceneSnapshot> Scenes,
    [property: Id(6)] double? EtaSeconds,
    [property: Id(7)] string? Error,
    [property: Id(8)] IReadOnlyDictionary<string, string> Outputs,
    [property: Id(9)] DateTimeOffset CreatedAt,
    [property: Id(10)] DateTimeOffset UpdatedAt,
    [property: Id(11)] string? Title,
    [property: Id(12)] int Seed,
    [property: Id(13)] string? Withheld = null);
