namespace ViraLoop.Grains.Messages;

/// <summary>
/// A job as its owner sees it: state, percent, the step running, every scene, ETA, the error in words when it failed,
/// and the finished artefacts (name → blob key: video, hls, thumbnail, captions, manifest). <see cref="Withheld"/>: why a
/// video that was made is not delivered (it failed a safety check); its downloads answer 451. <see cref="NearDuplicate"/>:
/// the tenant's earlier video this one nearly duplicates (a warning; the job still completes).
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
    [property: Id(13)] string? Withheld = null,
    [property: Id(14)] JobRejection? Rejection = null,
    [property: Id(15)] ViraLoop.Media.Provenance.C2paSignResult? Provenance = null,
    [property: Id(16)] DnaNeighbour? NearDuplicate = null,
    [property: Id(20)] string? Experiment = null,
    [property: Id(21)] string? Arm = null);

/// <summary>
/// Why the content policy refused a job: the category (violence, hate, sexual, self-harm, dangerous, harassment), the
/// finding's severity (1–3), the field it was found in (topic, text, scene 2 narration…), the passage as written, which
/// checker found it (rules or the remote endpoint) and at which step (order, script, edit).
/// </summary>
[GenerateSerializer, Immutable, Alias("vl.job-rejection")]
public sealed record JobRejection(
    [property: Id(0)] string Category,
    [property: Id(1)] int Severity,
    [property: Id(2)] string Field,
    [property: Id(3)] string Passage,
    [property: Id(4)] string Source,
    [property: Id(5)] string Stage)
{
    /// <summary>The key under which an exception's data names the category of a refused edit (the API's problem type).</summary>
    public const string CategoryDataKey = "viraloop.moderation.category";
}
