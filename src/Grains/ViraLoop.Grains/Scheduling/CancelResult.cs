namespace ViraLoop.Grains.Scheduling;

/// <summary><paramref name="Dequeued"/> queued items removed; <paramref name="LeasedMarked"/> leased items marked
/// cancelled, whose workers' results will be discarded.</summary>
public sealed record CancelResult(int Dequeued, int LeasedMarked);
