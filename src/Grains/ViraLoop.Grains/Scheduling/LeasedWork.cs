namespace ViraLoop.Grains.Scheduling;

/// <summary>One item handed to a worker: what to run, the lease to present back, and when the lease ends
/// unless renewed. <paramref name="Attempt"/> counts grants, 1 for the first.</summary>
public sealed record LeasedWork(
    LeaseRef Lease,
    string JobId,
    string TenantId,
    PriorityTier Tier,
    double CostSeconds,
    string BatchKey,
    DateTimeOffset Deadline,
    int Attempt);
