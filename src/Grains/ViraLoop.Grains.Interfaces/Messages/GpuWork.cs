namespace ViraLoop.Grains.Messages;

/// <summary>A fenced lease on one GPU work item: only the holder of the newest token may report its result.</summary>
[GenerateSerializer, Immutable, Alias("vl.gpu-lease")]
public sealed record GpuLease(
    [property: Id(0)] string ItemId,
    [property: Id(1)] string WorkerId,
    [property: Id(2)] long Token);

/// <summary>GPU work for the scheduler's queue: the item (its id is the scene cache key plus an attempt), who pays, what to render.</summary>
[GenerateSerializer, Immutable, Alias("vl.gpu-work")]
public sealed record GpuWork(
    [property: Id(0)] string ItemId,
    [property: Id(1)] string CacheKey,
    [property: Id(2)] string TenantId,
    [property: Id(3)] double CostSeconds,
    [property: Id(4)] RenderScene Render);

/// <summary>Work leased to a worker: the lease, the work, the lease's deadline and which attempt this is.</summary>
[GenerateSerializer, Immutable, Alias("vl.gpu-assignment")]
public sealed record GpuAssignment(
    [property: Id(0)] GpuLease Lease,
    [property: Id(1)] GpuWork Work,
    [property: Id(2)] DateTimeOffset Deadline,
    [property: Id(3)] int Attempt,
    [property: Id(4)] string BatchKey);

/// <summary>The scheduler's answer to a lease holder: accepted, or why not (stale: another holder has it now; cancelled; unknown).</summary>
[GenerateSerializer, Alias("vl.lease-answer")]
public enum LeaseAnswer
{
    Accepted = 0,
    Stale = 1,
    Cancelled = 2,
    Unknown = 3,
}

/// <summary>Where a work item stands in the scheduler.</summary>
[GenerateSerializer, Alias("vl.gpu-item-status")]
public enum GpuItemStatus
{
    Unknown = 0,
    Queued = 1,
    Leased = 2,
    Completed = 3,
    Failed = 4,
    Cancelled = 5,
}

/// <summary>A tenant's plan: its weight in fair sharing and the highest priority (high, standard, low) its requests may ask for.</summary>
[GenerateSerializer, Immutable, Alias("vl.tenant-plan")]
public sealed record TenantPlanView(
    [property: Id(0)] string TenantId,
    [property: Id(1)] double Weight,
    [property: Id(2)] string PriorityCeiling);

/// <summary>One dispatch as the scheduler recorded it (for fairness measurements).</summary>
[GenerateSerializer, Immutable, Alias("vl.gpu-dispatch")]
public sealed record GpuDispatch(
    [property: Id(0)] string ItemId,
    [property: Id(1)] string TenantId,
    [property: Id(2)] string WorkerId,
    [property: Id(3)] DateTimeOffset LeasedAt,
    [property: Id(4)] DateTimeOffset? CompletedAt,
    [property: Id(5)] string Outcome);
