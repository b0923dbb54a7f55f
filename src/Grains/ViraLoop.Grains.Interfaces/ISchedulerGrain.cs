using ViraLoop.Grains.Messages;

namespace ViraLoop.Grains;

/// <summary>
/// The GPU work scheduler (one per pool; key <c>gpu</c>): work is pulled by workers, ordered by priority tier and by
/// weighted fair queuing across tenants, batched by backend and size, and leased: a lease that is not renewed expires and
/// the work goes back to the queue; only the newest lease's holder can complete it.
/// </summary>
public interface ISchedulerGrain : IGrainWithStringKey
{
    /// <summary>Queues work. Refused (ArgumentException) above the tenant plan's priority ceiling. An id already held is not queued twice.</summary>
    Task<GpuItemStatus> Enqueue(GpuWork work, string priority);

    Task<IReadOnlyList<GpuAssignment>> Pull(string workerId, int capacity, int freeSlots);

    Task<LeaseAnswer> Renew(GpuLease lease);

    Task<LeaseAnswer> Complete(GpuLease lease);

    Task<LeaseAnswer> Fail(GpuLease lease, string reason, bool retryable);

    /// <summary>Withdraws an item: queued → gone; leased → its holder is told to stop at its next renewal.</summary>
    Task Cancel(string itemId);

    Task<GpuItemStatus> GetStatus(string itemId);

    /// <summary>The failure reason of a failed item.</summary>
    Task<string?> GetFailure(string itemId);

    Task SetTenantPlan(TenantPlanView plan);

    /// <summary>The tenant's plan (a default plan when none was set).</summary>
    Task<TenantPlanView> GetTenantPlan(string tenantId);

    /// <summary>The queue as the dashboard shows it: waiting work by tenant and priority, leases, workers, recent throughput.</summary>
    Task<GpuQueueView> GetQueue();

    /// <summary>Every dispatch in order (kept for the last 500), for fairness measurements and the dashboard.</summary>
    Task<IReadOnlyList<GpuDispatch>> GetDispatches();
}

/// <summary>Waiting work of one tenant at one priority tier: how many items, their cost, and how long the oldest has waited.</summary>
[GenerateSerializer, Immutable, Alias("vl.gpu-queue-line")]
public sealed record GpuQueueLine(
    [property: Id(0)] string TenantId,
    [property: Id(1)] string Priority,
    [property: Id(2)] int Items,
    [property: Id(3)] double CostSeconds,
    [property: Id(4)] double OldestWaitSeconds);

/// <summary>A worker the scheduler has heard from.</summary>
[GenerateSerializer, Immutable, Alias("vl.gpu-queue-worker")]
public sealed record GpuQueueWorker(
    [property: Id(0)] string WorkerId,
    [property: Id(1)] int Capacity,
    [property: Id(2)] int Leased,
    [property: Id(3)] DateTimeOffset LastSeen);

[GenerateSerializer, Immutable, Alias("vl.gpu-queue-view")]
public sealed record GpuQueueView(
    [property: Id(0)] IReadOnlyList<GpuQueueLine> Queued,
    [property: Id(1)] int Leased,
    [property: Id(2)] IReadOnlyList<GpuQueueWorker> Workers,
    [property: Id(3)] int CompletedLastMinute,
    [property: Id(4)] int DispatchedLastMinute,
    [property: Id(5)] double? MeanWaitSeconds);
