namespace ViraLoop.Grains.Scheduling;

/// <summary>A worker asks for work.</summary>
/// <param name="WorkerId">Stable id of the worker (its grain key).</param>
/// <param name="Capacity">Total slots the worker has; the scheduler sums live workers' capacity to size per-tenant caps.</param>
/// <param name="FreeSlots">Slots free now; at most this many items are leased (one slot per item, batched or not).</param>
/// <param name="MaxBatchSize">What the worker's backend accepts in one batch; <c>null</c> means
/// <see cref="SchedulerOptions.MaxBatchSize"/>. The smaller of the two applies.</param>
public sealed record PullRequest(string WorkerId, int Capacity, int FreeSlots, int? MaxBatchSize = null);
