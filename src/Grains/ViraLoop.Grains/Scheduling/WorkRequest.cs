namespace ViraLoop.Grains.Scheduling;

/// <summary>A unit of GPU work to queue.</summary>
/// <param name="ItemId">Unique id; enqueueing an id the scheduler already holds is a no-op (<see cref="EnqueueOutcome.Duplicate"/>).</param>
/// <param name="JobId">The job the item belongs to; <see cref="FairScheduler.CancelJob"/> works on it.</param>
/// <param name="TenantId">A tenant registered with <see cref="FairScheduler.SetTenant"/>.</param>
/// <param name="CostSeconds">Estimated GPU seconds; what weighted fair queuing charges the tenant.</param>
/// <param name="BatchKey">Items with equal keys (same backend, model and size) may be handed out together.</param>
/// <param name="Tier">Requested tier; <c>null</c> means the plan's ceiling. Above the ceiling is rejected.</param>
public sealed record WorkRequest(
    string ItemId,
    string JobId,
    string TenantId,
    double CostSeconds,
    string BatchKey,
    PriorityTier? Tier = null);
