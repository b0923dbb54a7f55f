using ViraLoop.Grains.Messages;

namespace ViraLoop.Grains;

/// <summary>
/// One experiment of the optimisation loop (key <c>tenant/experiment</c>, see <see cref="ExperimentKeys"/>): a fixed control
/// arm plus the genetic algorithm's candidate genomes, each a <see cref="IBanditArmGrain"/>. New videos are allocated by
/// Thompson sampling over the arms' posteriors (a held-out share of videos goes to the control); engagement read back from
/// the analytics store updates the posteriors; arms judged weak after their minimum exposures are retired and replaced by
/// the GA's offspring (the next generation), whose priors come from the evidence their genes have gathered in other arms.
/// </summary>
public interface IExperimentGrain : IGrainWithStringKey
{
    /// <summary>Creates the experiment and its first generation. The same spec again returns it as it stands; another spec under an existing key is refused (<see cref="ArgumentException"/>).</summary>
    Task<ExperimentSnapshot> Create(ExperimentSpec spec);

    /// <summary>The experiment as it stands (<see cref="KeyNotFoundException"/> when it was never created).</summary>
    Task<ExperimentSnapshot> GetSnapshot();

    /// <summary>
    /// The arm for a new video. Sticky by <paramref name="key"/> (the submission's idempotency key, or the video id): the
    /// same key always gets the same arm (even after that arm was retired), so a retried submission makes the same video.
    /// <paramref name="videoId"/> is what the allocation history records (the first one, for a retried key).
    /// </summary>
    Task<ArmAssignment> Allocate(string key, string videoId);

    /// <summary>
    /// Reads the arms' totals from the analytics store, updates every arm's posterior and retires weak arms (breeding
    /// their replacements). Returns the experiment as it then stands.
    /// </summary>
    Task<ExperimentSnapshot> Refresh();
}

/// <summary>One candidate genome of an experiment (key <c>tenant/experiment/arm</c>; the arm id is the genome's hash).</summary>
public interface IBanditArmGrain : IGrainWithStringKey
{
    /// <summary>Sets the arm up (idempotent: an arm already set up keeps what it has).</summary>
    Task<ArmSnapshot> Start(ArmStart start);

    /// <summary>The arm's totals as the store holds them now, and its posterior from them (totals replace, never add: idempotent).</summary>
    Task<ArmSnapshot> Observe(ArmObservation observation);

    /// <summary>Counts a video allocated to the arm (idempotent per video).</summary>
    Task<ArmSnapshot> Allocated(string videoId);

    /// <summary>The GA replaced the arm in this generation: no new videos go to it; its evidence stays.</summary>
    Task<ArmSnapshot> Retire(int generation);

    Task<ArmSnapshot?> GetSnapshot();
}

/// <summary>Every experiment of the cluster, for listings and the dashboard (one grain, key <see cref="ExperimentKeys.Directory"/>).</summary>
public interface IExperimentDirectoryGrain : IGrainWithStringKey
{
    Task Register(ExperimentEntry entry);

    /// <summary>The experiments of one tenant, or of every tenant when <paramref name="tenantId"/> is null, newest first.</summary>
    Task<IReadOnlyList<ExperimentEntry>> List(string? tenantId);
}

/// <summary>
/// The one writer of the analytics store (key <see cref="ExperimentKeys.Engagement"/>): ClickHouse's exactly-once commit
/// needs a single writer per database, so every append goes through this grain, wherever it is active.
/// </summary>
public interface IEngagementGrain : IGrainWithStringKey
{
    /// <summary>
    /// Appends a batch (idempotent by event id) and waits up to <paramref name="waitDurable"/> for it to be durable.
    /// Returns true when it is; false when it is buffered (the store is down or slow) and will be written when it answers.
    /// </summary>
    Task<bool> Append(IReadOnlyList<EngagementRecord> batch, TimeSpan waitDurable);

    /// <summary>Each arm's totals of one experiment, over all days (arm id ordinal order).</summary>
    Task<IReadOnlyList<ArmTotals>> GetArmTotals(string tenantId, string experimentId);

    /// <summary>How many stored events carry this id (0 or 1): audits and tests.</summary>
    Task<long> CountEvent(string eventId);
}

public static class ExperimentKeys
{
    public const string Directory = "cluster";
    public const string Engagement = "default";

    public static string Of(string tenantId, string experimentId) => $"{tenantId}/{experimentId}";

    public static string Arm(string tenantId, string experimentId, string armId) => $"{tenantId}/{experimentId}/{armId}";

    public static (string Tenant, string Experiment) Parse(string key)
    {
        var slash = key.IndexOf('/');
        return slash <= 0 ? throw new ArgumentException($"'{key}' is not an experiment key (tenant/experiment)") : (key[..slash], key[(slash + 1)..]);
    }
}
