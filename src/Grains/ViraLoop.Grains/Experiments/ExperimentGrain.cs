using Microsoft.Extensions.Logging;
using ViraLoop.Grains.Messages;
using ViraLoop.Grains.Optimisation;
using ViraLoop.Grains.Tenant;

namespace ViraLoop.Grains.Experiments;

[GenerateSerializer, Alias("vl.experiment-state")]
public sealed class ExperimentState
{
    [Id(0)] public ExperimentSpec? Spec { get; set; }
    [Id(1)] public DateTimeOffset CreatedAt { get; set; }
    [Id(2)] public int Generation { get; set; }

    /// <summary>Every arm ever run, the control first, then in order of birth: the arms' own grains hold the same, this is the copy allocation reads.</summary>
    [Id(3)] public List<ArmSnapshot> Arms { get; set; } = [];
    /// <summary>Replayable key → the arm it was given (see <see cref="StickyAssignments"/>).</summary>
    [Id(4)] public Dictionary<string, ArmAssignment> Assignments { get; set; } = [];
    [Id(5)] public List<AllocationPoint> History { get; set; } = [];
    [Id(6)] public int TotalAllocations { get; set; }
    [Id(7)] public DateTimeOffset? RefreshedAt { get; set; }
    [Id(8)] public int Refreshes { get; set; }
    [Id(9)] public Dictionary<string, ArmStart> Starts { get; set; } = [];

    /// <summary>Per arm: the experiment's exposures (all arms together) when it was born; what has come since is its opportunity.</summary>
    [Id(10)] public Dictionary<string, long> BornAtExposures { get; set; } = [];

    /// <summary>Retired arms whose grains have not yet been told their last totals or their retirement (live arms are told every refresh).</summary>
    [Id(11)] public HashSet<string> Untold { get; set; } = [];
}

/// <summary>
/// An experiment: allocation by Thompson sampling over the live arms' Beta posteriors (sticky per video, a hashed
/// control share), refresh from the analytics store's totals, and retirement plus breeding (a steady-state GA: each arm
/// judged weak is replaced by one child of the others). The state is written before any arm grain is told, and arm
/// grains accept repeated calls, so a crash between the two is repaired by the next call.
/// </summary>
public sealed class ExperimentGrain(
    [PersistentState("experiment")] IPersistentState<ExperimentState> state,
    ILogger<ExperimentGrain> log) : Grain, IExperimentGrain
{
    public const int MaxArms = 32, MaxHistory = 5000;
    private ExperimentState S => state.State;
    private string Key => this.GetPrimaryKeyString();
    private (string Tenant, string Experiment) Ids => ExperimentKeys.Parse(Key);
    private static GeneSchema Schema => GeneSchema.Default;

    public async Task<ExperimentSnapshot> Create(ExperimentSpec spec)
    {
        Validate(spec);
        if (S.Spec is not null)
        {
            return S.Spec == spec ? await Snapshot() : throw new ArgumentException($"experiment '{Ids.Experiment}' already exists with other settings");
        }

        var control = Genome.Parse(Schema, spec.Control);
        var random = new Random(spec.Seed);
        var genomes = new List<Genome>();
        for (var tries = 0; genomes.Count < spec.Arms && tries < 10_000; tries++)
        {
            var g = Schema.RandomGenome(random);
            if (g != control && !genomes.Contains(g)) genomes.Add(g);
        }

        S.Spec = spec;
        S.CreatedAt = DateTimeOffset.UtcNow;
        AddArm(control, spec, 0, true, BetaPosterior.Uniform);
        foreach (var g in genomes) AddArm(g, spec, 0, false, BetaPosterior.Uniform);
        await state.WriteStateAsync();
        await TellArmsAsync();
        await GrainFactory.GetGrain<IExperimentDirectoryGrain>(ExperimentKeys.Directory)
            .Register(new ExperimentEntry(Ids.Tenant, Ids.Experiment, spec.Name, S.CreatedAt));
        log.LogInformation("Experiment {Experiment} created: {Arms} arms, objective {Objective}", Key, spec.Arms, spec.Objective);
        return await Snapshot();
    }

    public async Task<ExperimentSnapshot> GetSnapshot()
    {
        Exists();
        return await Snapshot();
    }

    public async Task<ArmAssignment> Allocate(string key, string videoId)
    {
        Exists();
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        ArgumentException.ThrowIfNullOrWhiteSpace(videoId);
        var now = DateTimeOffset.UtcNow;
        if (StickyAssignments.Find(S.Assignments, key, now, TenantGrain.IdempotencyWindow) is { } known) return known;

        var live = S.Arms.Where(a => a.RetiredAt is null).ToList();
        var controlIndex = live.FindIndex(a => a.IsControl);
        var evidence = live.Select(a => new ArmEvidence(a.Successes, a.Exposures - a.Successes, new BetaPosterior(a.Alpha, a.Beta))).ToList();
        var allocator = new ArmAllocator(new ThompsonSampling(), new AllocationOptions { ControlShare = S.Spec!.ControlShare, Salt = Key });
        var pick = allocator.Assign(key, evidence, controlIndex);
        var arm = live[pick.Arm];
        var assignment = new ArmAssignment(Ids.Experiment, arm.ArmId, arm.Genome, arm.IsControl, S.Generation, now);
        // A video's own id never comes back: only a replayable key is remembered.
        if (key != videoId) StickyAssignments.Remember(S.Assignments, key, assignment, now, TenantGrain.IdempotencyWindow);
        S.TotalAllocations++;
        S.History.Add(new AllocationPoint(videoId, arm.ArmId, S.Generation, assignment.At));
        if (S.History.Count > MaxHistory) S.History.RemoveRange(0, S.History.Count - MaxHistory);
        var i = S.Arms.FindIndex(a => a.ArmId == arm.ArmId);
        S.Arms[i] = S.Arms[i] with { Videos = S.Arms[i].Videos + 1 };
        await state.WriteStateAsync();
        try
        {
            await Arm(arm.ArmId).Allocated(videoId);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            log.LogWarning("Arm {Arm} of {Experiment} not told of video {Video}: {Error}", arm.ArmId, Key, videoId, e.Message);
        }
        return assignment;
    }

    public async Task<ExperimentSnapshot> Refresh()
    {
        Exists();
        var spec = S.Spec!;
        var totals = (await GrainFactory.GetGrain<IEngagementGrain>(ExperimentKeys.Engagement).GetArmTotals(Ids.Tenant, Ids.Experiment))
            .ToDictionary(t => t.ArmId, StringComparer.Ordinal);
        var now = DateTimeOffset.UtcNow;
        S.Refreshes++;
        var random = new Random(unchecked(spec.Seed * 1_000_003 + S.Refreshes));

        // Every arm's posterior from its fixed prior and its own totals; the live candidates' chance of being the best. A
        // retired arm's grain is told only when late events changed its totals.
        for (var i = 0; i < S.Arms.Count; i++)
        {
            var a = S.Arms[i];
            S.Arms[i] = BanditArmGrain.Snapshot(a.ArmId, S.Starts[a.ArmId], totals.GetValueOrDefault(a.ArmId) ?? ArmTotals.Empty(a.ArmId), 0, a.RetiredAt, a.Videos);
            if (a.RetiredAt is not null && S.Arms[i].Totals != a.Totals) S.Untold.Add(a.ArmId);
        }

        var live = S.Arms.Where(a => a.RetiredAt is null).ToList();
        var exposures = S.Arms.Sum(a => a.Exposures);
        var records = live.Select(a => new ArmRecord(Genome.Parse(Schema, a.Genome),
            new ArmEvidence(a.Successes, a.Exposures - a.Successes, new BetaPosterior(a.Alpha, a.Beta)), a.IsControl,
            exposures - S.BornAtExposures.GetValueOrDefault(a.ArmId))).ToList();
        var ga = new GeneticAlgorithm(Schema, random, new GeneticOptions { Elites = 0 });
        var plan = ArmRetirement.Plan(records, new RetirementOptions { MinExposures = spec.MinExposures, MaxProbabilityBest = spec.MaxProbabilityBest },
            random, ga, S.Arms.Select(a => Genome.Parse(Schema, a.Genome)));
        for (var j = 0; j < live.Count; j++)
        {
            var i = S.Arms.FindIndex(a => a.ArmId == live[j].ArmId);
            S.Arms[i] = S.Arms[i] with { ProbabilityBest = plan.ProbabilityBest[j] };
        }

        if (plan.Retired.Count > 0 && plan.Replacements.Count > 0)
        {
            S.Generation++;
            // The shared model: what each gene's values have earned across every arm, so a child starts from its genes' record.
            var model = new SharedEvidenceModel(Schema);
            foreach (var a in S.Arms) model.Record(Genome.Parse(Schema, a.Genome), a.Successes, a.Exposures - a.Successes);
            foreach (var retired in plan.Retired)
            {
                var i = S.Arms.FindIndex(a => a.Genome == retired.Id);
                S.Arms[i] = S.Arms[i] with { RetiredAt = S.Generation };
                S.Untold.Add(S.Arms[i].ArmId);
            }
            foreach (var child in plan.Replacements) AddArm(child, spec, S.Generation, false, model.Prior(child));
            log.LogInformation("Experiment {Experiment} generation {Generation}: retired {Retired}, bred {Bred}", Key, S.Generation,
                string.Join(", ", plan.Retired.Select(g => g.Hash)), string.Join(", ", plan.Replacements.Select(g => g.Hash)));
        }

        S.RefreshedAt = now;
        await state.WriteStateAsync();
        await TellArmsAsync(now);
        return await Snapshot();
    }

    private void AddArm(Genome genome, ExperimentSpec spec, int generation, bool isControl, BetaPosterior prior)
    {
        var start = new ArmStart(genome.Id, spec.Objective, generation, isControl, prior.Alpha, prior.Beta, []);
        S.Starts[genome.Hash] = start;
        S.BornAtExposures[genome.Hash] = S.Arms.Sum(a => a.Exposures);
        S.Arms.Add(BanditArmGrain.Snapshot(genome.Hash, start, ArmTotals.Empty(genome.Hash), 0, null, 0));
    }

    /// <summary>
    /// Brings the live arms' grains, and the retired ones with news (<see cref="ExperimentState.Untold"/>), in line with this
    /// grain's copy: started, observed, retired (each call idempotent). A retired arm stays untold until its grain answered,
    /// so a crash in between is repaired by the next refresh; arms retired long ago are not woken every refresh.
    /// </summary>
    private async Task TellArmsAsync(DateTimeOffset? observedAt = null)
    {
        var told = S.Untold.ToList();
        await Task.WhenAll(S.Arms.Where(a => a.RetiredAt is null || S.Untold.Contains(a.ArmId)).Select(async a =>
        {
            var grain = Arm(a.ArmId);
            await grain.Start(S.Starts[a.ArmId]);
            if (observedAt is { } at) await grain.Observe(new ArmObservation(a.Totals, a.ProbabilityBest, at));
            if (a.RetiredAt is { } g) await grain.Retire(g);
        }));
        if (told.Count == 0) return;
        S.Untold.ExceptWith(told);
        await state.WriteStateAsync();
    }

    private IBanditArmGrain Arm(string armId) => GrainFactory.GetGrain<IBanditArmGrain>(ExperimentKeys.Arm(Ids.Tenant, Ids.Experiment, armId));

    private Task<ExperimentSnapshot> Snapshot() => Task.FromResult(new ExperimentSnapshot(Ids.Experiment, Ids.Tenant, S.Spec!, S.CreatedAt,
        S.Generation, S.Arms.ToList(), S.History.ToList(), S.TotalAllocations, S.RefreshedAt));

    private void Exists()
    {
        if (S.Spec is null) throw new KeyNotFoundException($"no experiment '{Ids.Experiment}'");
    }

    /// <summary>Checks a spec (<see cref="ArgumentException"/> naming the field).</summary>
    public static void Validate(ExperimentSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (string.IsNullOrWhiteSpace(spec.Name) || spec.Name.Length > 100) throw new ArgumentException("name: 1–100 characters");
        if (spec.Arms is < 2 or > MaxArms) throw new ArgumentException($"arms: 2–{MaxArms} candidate arms");
        if (!Objectives.All.Contains(spec.Objective)) throw new ArgumentException($"objective: one of {string.Join(", ", Objectives.All)}");
        if (spec.ControlShare is < 0 or > 0.5 || double.IsNaN(spec.ControlShare)) throw new ArgumentException("controlShare: 0–0.5");
        if (spec.MinExposures is < 1 or > 1_000_000_000) throw new ArgumentException("minExposures: 1–1,000,000,000");
        if (spec.MaxProbabilityBest is <= 0 or >= 0.5 || double.IsNaN(spec.MaxProbabilityBest)) throw new ArgumentException("maxProbabilityBest: above 0, below 0.5");
        if (!Genome.TryParse(Schema, spec.Control, out _)) throw new ArgumentException($"control: not a genome of this schema ('{spec.Control}')");
    }
}
