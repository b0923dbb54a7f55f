namespace ViraLoop.Grains.Messages;

/// <summary>
/// What an experiment optimises and how cautiously. <see cref="Objective"/>: <c>ctr</c> (clicks per impression) or
/// <c>completion</c> (completed views per view started). <see cref="Control"/> is the held-out arm's genome id
/// (<c>hook=…;pacing=…;…</c>); <see cref="Arms"/> candidate arms run at once besides it.
/// </summary>
[GenerateSerializer, Immutable, Alias("vl.experiment-spec")]
public sealed record ExperimentSpec(
    [property: Id(0)] string Name,
    [property: Id(1)] int Arms,
    [property: Id(2)] string Objective,
    [property: Id(3)] double ControlShare,
    [property: Id(4)] long MinExposures,
    [property: Id(5)] int Seed,
    [property: Id(6)] string Control,
    [property: Id(7)] double MaxProbabilityBest = 0.02);

public static class Objectives
{
    public const string Ctr = "ctr";
    public const string Completion = "completion";
    public static readonly IReadOnlyList<string> All = [Ctr, Completion];

    /// <summary>Successes and exposures of an arm under an objective.</summary>
    public static (long Successes, long Exposures) Of(string objective, ArmTotals t) => objective switch
    {
        Ctr => (Math.Min(t.Clicks, t.Impressions), t.Impressions),
        Completion => (Math.Min(t.Completions, t.ViewsStarted), t.ViewsStarted),
        _ => throw new ArgumentException($"unknown objective '{objective}'"),
    };
}

/// <summary>An arm's totals in the analytics store (sums over every day).</summary>
[GenerateSerializer, Immutable, Alias("vl.arm-totals")]
public sealed record ArmTotals(
    [property: Id(0)] string ArmId,
    [property: Id(1)] long Impressions,
    [property: Id(2)] long Clicks,
    [property: Id(3)] long ViewsStarted,
    [property: Id(4)] long Completions,
    [property: Id(5)] long WatchSessions,
    [property: Id(6)] long WatchMilliseconds)
{
    public static ArmTotals Empty(string armId) => new(armId, 0, 0, 0, 0, 0, 0);
}

/// <summary>One engagement event as the ingest path hands it to <see cref="IEngagementGrain"/> (the store's event, serialisable).</summary>
[GenerateSerializer, Immutable, Alias("vl.engagement-record")]
public sealed record EngagementRecord(
    [property: Id(0)] string EventId,
    [property: Id(1)] string TenantId,
    [property: Id(2)] string VideoId,
    [property: Id(3)] string ArmId,
    [property: Id(4)] string ExperimentId,
    [property: Id(5)] string Kind,
    [property: Id(6)] double Value,
    [property: Id(7)] DateTimeOffset At,
    [property: Id(8)] string Platform);

[GenerateSerializer, Immutable, Alias("vl.arm-start")]
public sealed record ArmStart(
    [property: Id(0)] string Genome,
    [property: Id(1)] string Objective,
    [property: Id(2)] int Generation,
    [property: Id(3)] bool IsControl,
    [property: Id(4)] double PriorAlpha,
    [property: Id(5)] double PriorBeta,
    [property: Id(6)] IReadOnlyList<string> Parents);

[GenerateSerializer, Immutable, Alias("vl.arm-observation")]
public sealed record ArmObservation(
    [property: Id(0)] ArmTotals Totals,
    [property: Id(1)] double ProbabilityBest,
    [property: Id(2)] DateTimeOffset At);

/// <summary>
/// An arm as it stands: its genome, when it was born and retired, its totals, and its posteriors: Beta(α, β) over the
/// objective's rate (its prior from the shared per-gene evidence when it was born, updated by its own outcomes) and a
/// Gamma(shape, rate) posterior over the rate of an exponential watch time (mean seconds = rate⁻¹), from the sessions and
/// their total seconds.
/// </summary>
[GenerateSerializer, Immutable, Alias("vl.arm-snapshot")]
public sealed record ArmSnapshot(
    [property: Id(0)] string ArmId,
    [property: Id(1)] string Genome,
    [property: Id(2)] bool IsControl,
    [property: Id(3)] int Generation,
    [property: Id(4)] int? RetiredAt,
    [property: Id(5)] int Videos,
    [property: Id(6)] ArmTotals Totals,
    [property: Id(7)] long Successes,
    [property: Id(8)] long Exposures,
    [property: Id(9)] double PriorAlpha,
    [property: Id(10)] double PriorBeta,
    [property: Id(11)] double Alpha,
    [property: Id(12)] double Beta,
    [property: Id(13)] double ProbabilityBest,
    [property: Id(14)] double WatchShape,
    [property: Id(15)] double WatchRate,
    [property: Id(16)] IReadOnlyList<string> Parents)
{
    public double Mean => Alpha / (Alpha + Beta);

    /// <summary>Expected watch seconds under the Gamma posterior (rate / (shape − 1) for shape &gt; 1).</summary>
    public double MeanWatchSeconds => WatchShape > 1 ? WatchRate / (WatchShape - 1) : 0;
}

/// <summary>Which arm a video was given, with its genome; <see cref="IsControl"/> for the held-out share.</summary>
[GenerateSerializer, Immutable, Alias("vl.arm-assignment")]
public sealed record ArmAssignment(
    [property: Id(0)] string ExperimentId,
    [property: Id(1)] string ArmId,
    [property: Id(2)] string Genome,
    [property: Id(3)] bool IsControl,
    [property: Id(4)] int Generation,
    [property: Id(5)] DateTimeOffset At);

/// <summary>One allocation, for the allocation-over-time chart.</summary>
[GenerateSerializer, Immutable, Alias("vl.allocation-point")]
public sealed record AllocationPoint(
    [property: Id(0)] string VideoId,
    [property: Id(1)] string ArmId,
    [property: Id(2)] int Generation,
    [property: Id(3)] DateTimeOffset At);

[GenerateSerializer, Immutable, Alias("vl.experiment-snapshot")]
public sealed record ExperimentSnapshot(
    [property: Id(0)] string ExperimentId,
    [property: Id(1)] string TenantId,
    [property: Id(2)] ExperimentSpec Spec,
    [property: Id(3)] DateTimeOffset CreatedAt,
    [property: Id(4)] int Generation,
    [property: Id(5)] IReadOnlyList<ArmSnapshot> Arms,
    [property: Id(6)] IReadOnlyList<AllocationPoint> Allocations,
    [property: Id(7)] int TotalAllocations,
    [property: Id(8)] DateTimeOffset? RefreshedAt);

[GenerateSerializer, Immutable, Alias("vl.experiment-entry")]
public sealed record ExperimentEntry(
    [property: Id(0)] string TenantId,
    [property: Id(1)] string ExperimentId,
    [property: Id(2)] string Name,
    [property: Id(3)] DateTimeOffset CreatedAt);
