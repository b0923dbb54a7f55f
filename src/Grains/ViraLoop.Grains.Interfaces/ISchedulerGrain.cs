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

    /// <summary>Every dispatch in order (kept for the last 500), for fairness measurements and the dashboard.</summary>
    Task<IReadOnlyList<GpuDispatch>> GetDispatches();
}
