using ViraLoop.Grains.Messages;

namespace ViraLoop.Grains.Experiments;

[GenerateSerializer, Alias("vl.arm-state")]
public sealed class BanditArmState
{
    [Id(0)] public ArmStart? Start { get; set; }
    [Id(1)] public ArmTotals? Totals { get; set; }
    [Id(2)] public double ProbabilityBest { get; set; }
    [Id(3)] public int? RetiredAt { get; set; }
    [Id(4)] public HashSet<string> Videos { get; set; } = [];
    [Id(5)] public DateTimeOffset? ObservedAt { get; set; }
}

/// <summary>
/// One arm: its genome, its prior (fixed when it was born), the totals last read from the analytics store and the
/// posteriors they give. Observations carry totals, not increments, so a repeated or reordered refresh cannot count an
/// event twice; an older observation than the one held is ignored.
/// </summary>
public sealed class BanditArmGrain([PersistentState("bandit-arm")] IPersistentState<BanditArmState> state) : Grain, IBanditArmGrain
{
    /// <summary>Watch-time prior: Gamma(shape 2, rate 8 s) over the rate of an exponential watch time, a mean near 8 s worth one session.</summary>
    public const double WatchPriorShape = 2, WatchPriorRate = 8;

    private BanditArmState S => state.State;
    private string ArmId => this.GetPrimaryKeyString()[(this.GetPrimaryKeyString().LastIndexOf('/') + 1)..];

    public async Task<ArmSnapshot> Start(ArmStart start)
    {
        ArgumentNullException.ThrowIfNull(start);
        if (S.Start is null)
        {
            S.Start = start;
            await state.WriteStateAsync();
        }
        return View();
    }

    public async Task<ArmSnapshot> Observe(ArmObservation observation)
    {
        ArgumentNullException.ThrowIfNull(observation);
        Started();
        if (S.ObservedAt is { } at && observation.At < at) return View();
        S.Totals = observation.Totals;
        S.ProbabilityBest = observation.ProbabilityBest;
        S.ObservedAt = observation.At;
        await state.WriteStateAsync();
        return View();
    }

    public async Task<ArmSnapshot> Allocated(string videoId)
    {
        Started();
        if (S.Videos.Add(videoId)) await state.WriteStateAsync();
        return View();
    }

    public async Task<ArmSnapshot> Retire(int generation)
    {
        Started();
        if (S.RetiredAt is null)
        {
            S.RetiredAt = generation;
            await state.WriteStateAsync();
        }
        return View();
    }

    public Task<ArmSnapshot?> GetSnapshot() => Task.FromResult(S.Start is null ? null : View());

    private void Started()
    {
        if (S.Start is null) throw new InvalidOperationException($"arm {this.GetPrimaryKeyString()} was never started");
    }

    private ArmSnapshot View() => Snapshot(ArmId, S.Start!, S.Totals ?? ArmTotals.Empty(ArmId), S.ProbabilityBest, S.RetiredAt, S.Videos.Count);

    /// <summary>An arm's snapshot from its start, totals and standing: the posteriors are computed here, in one place.</summary>
    public static ArmSnapshot Snapshot(string armId, ArmStart start, ArmTotals totals, double probabilityBest, int? retiredAt, int videos)
    {
        var (successes, exposures) = Objectives.Of(start.Objective, totals);
        return new ArmSnapshot(armId, start.Genome, start.IsControl, start.Generation, retiredAt, videos, totals, successes, exposures,
            start.PriorAlpha, start.PriorBeta, start.PriorAlpha + successes, start.PriorBeta + (exposures - successes), probabilityBest,
            WatchPriorShape + totals.WatchSessions, WatchPriorRate + totals.WatchMilliseconds / 1000.0, start.Parents);
    }
}
