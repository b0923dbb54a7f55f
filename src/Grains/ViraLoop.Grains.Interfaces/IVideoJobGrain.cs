using Orleans.Concurrency;
using ViraLoop.Grains.Messages;
using ViraLoop.Media;

namespace ViraLoop.Grains;

/// <summary>
/// One video job (key <c>tenant/job</c>, see <see cref="JobKeys"/>): accepted → scripting → awaiting approval (when asked)
/// → scenes → assembly → packaging → completed / failed / cancelled. Every transition is persisted; progress goes to the
/// stream (<see cref="StreamNames.Jobs"/>, job key).
/// </summary>
public interface IVideoJobGrain : IGrainWithStringKey
{
    /// <summary>
    /// Validates and accepts the order (bad input: <see cref="ArgumentException"/> with the reason, and nothing is created).
    /// Submitting the same order again returns the job as it stands; a different order under an existing key is refused.
    /// </summary>
    Task<JobSnapshot> Submit(VideoOrder order);

    Task<JobSnapshot> GetSnapshot();

    /// <summary>Stops the job in any state: nothing more is scheduled and queued work is withdrawn. Final jobs are left as they are.</summary>
    Task<JobSnapshot> Cancel(string? reason = null);

    /// <summary>Lets a job waiting for approval go on, with the script as written or as edited (same scene count, narration changed).</summary>
    Task<JobSnapshot> Approve(Script? edited = null);

    /// <summary>Ends a job waiting for approval, with the reason.</summary>
    Task<JobSnapshot> Reject(string reason);

    /// <summary>The job's trace: every step, voice and visual with the silo that ran it (<see cref="KeyNotFoundException"/> for no job).</summary>
    Task<JobTrace> GetTrace();

    /// <summary>The script, once written (null before).</summary>
    Task<Script?> GetScript();

    /// <summary>
    /// The job as it stands and the progress events it published after <paramref name="afterSequence"/> that this
    /// activation still holds (the last few hundred), oldest first: what a subscriber that reconnects missed.
    /// </summary>
    Task<JobReplay> GetEventsSince(long afterSequence);

    /// <summary>
    /// As <see cref="GetEventsSince"/>, but when nothing newer is held it first waits (up to <paramref name="wait"/>, at
    /// most 5 s) for the job to publish: a long poll that follows the job wherever it runs, beside its stream. Runs
    /// interleaved with the job's other calls (it only reads).
    /// </summary>
    [AlwaysInterleave] Task<JobReplay> WaitForEventsSince(long afterSequence, TimeSpan wait);

    [OneWay] Task OnSceneVoiced(int sceneIndex, SceneVoiced voiced);
    [OneWay] Task OnSceneRendered(int sceneIndex, SceneRendered rendered);
    [OneWay] Task OnSceneFailed(int sceneIndex, string reason);

    /// <summary>A step that ran outside the grain's turn reports back (from this activation's own executor task).</summary>
    Task OnStepFinished(StepReport report);

    /// <summary>Progress within a step running outside the turn (fraction 0..1).</summary>
    [OneWay] Task OnStepProgress(long runId, double fraction);
}

/// <summary>
/// How a step that ran outside the turn ended: its outputs (name → blob key), or an error, transient or not. Packaging
/// also names the tenant's earlier video the new one nearly duplicates (<see cref="NearDuplicate"/>), if any.
/// </summary>
[GenerateSerializer, Immutable, Alias("vl.step-report")]
public sealed record StepReport(
    [property: Id(0)] string Step,
    [property: Id(1)] long RunId,
    [property: Id(2)] double Seconds,
    [property: Id(3)] string? Error = null,
    [property: Id(4)] bool Transient = false,
    [property: Id(5)] Script? Script = null,
    [property: Id(6)] IReadOnlyDictionary<string, string>? Outputs = null,
    [property: Id(7)] IReadOnlyList<string>? Notes = null,
    [property: Id(8)] JobSpan? Span = null,
    [property: Id(9)] string? Withheld = null,
    [property: Id(10)] JobRejection? Rejected = null,
    [property: Id(11)] ViraLoop.Media.Provenance.C2paSignResult? Provenance = null,
    [property: Id(12)] DnaNeighbour? NearDuplicate = null);

/// <summary>
/// A job's snapshot and the events after a sequence number. <see cref="Complete"/> is false when some of them are no
/// longer held (the job moved to another silo since, or more happened than is kept): the snapshot then stands for them.
/// </summary>
[GenerateSerializer, Immutable, Alias("vl.job-replay")]
public sealed record JobReplay(
    [property: Id(0)] JobSnapshot Snapshot,
    [property: Id(1)] IReadOnlyList<JobProgress> Events,
    [property: Id(2)] bool Complete);
