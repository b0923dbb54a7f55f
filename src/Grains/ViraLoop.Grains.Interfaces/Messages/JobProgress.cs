namespace ViraLoop.Grains.Messages;

/// <summary>
/// One event of a job's progress stream (namespace <see cref="StreamNames.Jobs"/>, key = job key). <see cref="Sequence"/>
/// strictly increases within a job, across crashes and reactivations, so a subscriber can order and de-duplicate.
/// <see cref="Scene"/> is set when the event is about one scene (with its preview frame once ready).
/// </summary>
[GenerateSerializer, Immutable, Alias("vl.job-progress")]
public sealed record JobProgress(
    [property: Id(0)] string JobId,
    [property: Id(1)] long Sequence,
    [property: Id(2)] JobStatus Status,
    [property: Id(3)] double Percent,
    [property: Id(4)] string? Step,
    [property: Id(5)] SceneSnapshot? Scene,
    [property: Id(6)] double? EtaSeconds,
    [property: Id(7)] string? Error,
    [property: Id(8)] DateTimeOffset At,
    [property: Id(9)] double? StepFraction = null);

/// <summary>Stream names grain code and subscribers share.</summary>
public static class StreamNames
{
    /// <summary>The stream provider that carries progress (memory streams embedded, RabbitMQ in a cluster).</summary>
    public const string Provider = "progress";

    /// <summary>Namespace of job progress streams; the key is the job's grain key.</summary>
    public const string Jobs = "job";
}
