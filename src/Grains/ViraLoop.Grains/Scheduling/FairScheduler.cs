namespace ViraLoop.Grains.Scheduling;

/// <summary>
/// Pull-based GPU work scheduler over a <see cref="SchedulerState"/>. Pure: no I/O, no Orleans, time only from the
/// injected <see cref="TimeProvider"/>; the same calls at the same times give the same state.
/// </summary>
/// <remarks>
/// Order of choice for each slot a worker offers:
/// <list type="number">
/// <item>Slot cap: a tenant holding its cap (<see cref="SlotCap"/>) is passed over while any tenant under its cap
/// has queued work; when none has, capped tenants may borrow idle slots (work conserving, no preemption).</item>
/// <item>Tier: the highest effective tier wins. Effective tier = accepted tier + one per full
/// <see cref="SchedulerOptions.AgingStep"/> waited since first enqueue, capped at <see cref="PriorityTier.High"/>,
/// so a Low item under constant High load is at the top tier after 2 steps and then competes by fair share.</item>
/// <item>Weighted fair queuing (start-time fair queuing) across tenants: start tag S = max(V, F_tenant), finish
/// F = S + cost / weight; the smallest S wins (then smallest F, then arrival). V becomes that S. An idle tenant
/// earns no credit (its S is lifted to V), a newcomer is next in line.</item>
/// <item>FIFO within a tenant and tier; a requeued item goes back to its arrival place (the front).</item>
/// </list>
/// A batch starts with the chosen item and is filled, up to the batch size and the free slots, with items of the
/// same batch key at the same effective tier, chosen by the same rules (each charged to its tenant). Every item
/// uses one slot whether batched or not.
/// </remarks>
public sealed partial class FairScheduler
{
    private readonly SchedulerState state;
    private readonly SchedulerOptions options;
    private readonly TimeProvider time;

    public FairScheduler(SchedulerState state, SchedulerOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        options.Validate();
        this.state = state;
        this.options = options;
        this.time = time;
    }

    public SchedulerState State => state;

    public SchedulerOptions Options => options;

    /// <summary>Registers a tenant or changes its plan. After a downgrade, queued items above the new ceiling are
    /// lowered to it (they were valid when accepted, so they are kept, not dropped); leased ones are lowered if they
    /// come back to the queue.</summary>
    public void SetTenant(TenantPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentException.ThrowIfNullOrWhiteSpace(plan.TenantId);
        if (!double.IsFinite(plan.Weight) || plan.Weight <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(plan), plan.Weight, "A tenant's weight must be a positive number.");
        }

        if (!Enum.IsDefined(plan.PriorityCeiling))
        {
            throw new ArgumentOutOfRangeException(nameof(plan), plan.PriorityCeiling, "Unknown priority tier.");
        }

        if (!state.Tenants.TryGetValue(plan.TenantId, out var tenant))
        {
            state.Tenants.Add(plan.TenantId, new TenantAccount
            {
                TenantId = plan.TenantId,
                Weight = plan.Weight,
                PriorityCeiling = plan.PriorityCeiling,
                VirtualFinish = state.VirtualTime,
            });
            return;
        }

        tenant.Weight = plan.Weight;
        tenant.PriorityCeiling = plan.PriorityCeiling;
        foreach (var tier in tenant.Queues.Keys.Where(t => t > plan.PriorityCeiling).Order().ToList())
        {
            foreach (var id in tenant.Queues[tier])
            {
                var item = state.Items[id];
                item.Tier = plan.PriorityCeiling;
                InsertInOrder(QueueOf(tenant, item.Tier), item);
            }

            tenant.Queues.Remove(tier);
        }
    }

    /// <summary>Queues an item. Rejected (nothing changes) for an unknown tenant, a tier above the plan's ceiling
    /// (no silent clamping: asking for more than the plan is a caller bug or abuse and should be seen), a cost that
    /// is not a positive number, or empty ids or batch key. An id already held gives <see cref="EnqueueOutcome.Duplicate"/>,
    /// so a caller may retry after a crash.</summary>
    public EnqueueResult Enqueue(WorkRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var now = time.GetUtcNow();
        ExpireLeases(now);
        if (string.IsNullOrWhiteSpace(request.ItemId) || string.IsNullOrWhiteSpace(request.JobId))
        {
            return Rejected("an item needs an item id and a job id");
        }

        if (state.Items.ContainsKey(request.ItemId))
        {
            return new EnqueueResult(EnqueueOutcome.Duplicate, state.Items[request.ItemId].Tier, "an item with this id is already held");
        }

        if (!state.Tenants.TryGetValue(request.TenantId ?? "", out var tenant))
        {
            return Rejected($"tenant '{request.TenantId}' has no plan registered");
        }

        if (!double.IsFinite(request.CostSeconds) || request.CostSeconds <= 0)
        {
            return Rejected($"the cost estimate must be a positive number of GPU seconds, not {request.CostSeconds}");
        }

        if (string.IsNullOrWhiteSpace(request.BatchKey))
        {
            return Rejected("an item needs a batch key (backend, model and size)");
        }

        var tier = request.Tier ?? tenant.PriorityCeiling;
        if (!Enum.IsDefined(tier))
        {
            return Rejected($"unknown priority tier {(int)tier}");
        }

        if (tier > tenant.PriorityCeiling)
        {
            return Rejected($"tier {tier} is above the {tenant.PriorityCeiling} ceiling of tenant '{tenant.TenantId}'s plan");
        }

        var item = new WorkItem
        {
            Id = request.ItemId,
            JobId = request.JobId,
            TenantId = tenant.TenantId,
            Tier = tier,
            CostSeconds = request.CostSeconds,
            BatchKey = request.BatchKey,
            EnqueuedAt = now,
            Sequence = state.NextSequence++,
            Status = WorkItemStatus.Queued,
        };
        state.Items.Add(item.Id, item);
        QueueOf(tenant, tier).Add(item.Id);
        return new EnqueueResult(EnqueueOutcome.Accepted, tier);

        static EnqueueResult Rejected(string reason) => new(EnqueueOutcome.Rejected, null, reason);
    }

    /// <summary>Cancels a job's items: queued ones leave the queue; leased ones are marked cancelled and keep their
    /// slot until the worker reports (its result is then discarded) or the lease expires.</summary>
    public CancelResult CancelJob(string jobId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
        var now = time.GetUtcNow();
        ExpireLeases(now);
        int dequeued = 0, marked = 0;
        foreach (var item in state.Items.Values.Where(i => i.JobId == jobId).OrderBy(i => i.Sequence).ToList())
        {
            if (item.Status == WorkItemStatus.Queued)
            {
                QueueOf(state.Tenants[item.TenantId], item.Tier).Remove(item.Id);
                dequeued++;
            }
            else if (item.Status == WorkItemStatus.Leased)
            {
                marked++;
            }
            else
            {
                continue;
            }

            item.Status = WorkItemStatus.Cancelled;
            item.FinishedAt = now;
            Record(SchedulerEventKind.Cancelled, item, now, item.Lease?.WorkerId, "job cancelled");
        }

        return new CancelResult(dequeued, marked);
    }

    /// <summary>Returns and clears the events recorded since the last call.</summary>
    public IReadOnlyList<SchedulerEvent> TakeEvents()
    {
        var events = state.Events.ToList();
        state.Events.Clear();
        return events;
    }

    /// <summary>Drops finished items (no lease left) that finished at least <paramref name="retention"/> ago. After
    /// that their ids are unknown: a re-enqueue is accepted again and a late report answers <see cref="LeaseOutcome.UnknownItem"/>.</summary>
    public int PruneFinished(TimeSpan retention)
    {
        var cutoff = time.GetUtcNow() - retention;
        var old = state.Items.Values
            .Where(i => i.Lease is null && i.FinishedAt is { } at && at <= cutoff && IsTerminal(i.Status))
            .Select(i => i.Id)
            .ToList();
        foreach (var id in old)
        {
            state.Items.Remove(id);
        }

        return old.Count;
    }

    /// <summary>The tier an item competes at now: its accepted tier plus one per full aging step waited.</summary>
    public PriorityTier EffectiveTier(WorkItem item, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(item);
        var waited = now - item.EnqueuedAt;
        var steps = waited <= TimeSpan.Zero ? 0 : (long)(waited.Ticks / options.AgingStep.Ticks);
        return (PriorityTier)Math.Min((long)PriorityTier.High, (long)item.Tier + steps);
    }

    private static bool IsTerminal(WorkItemStatus status) =>
        status is WorkItemStatus.Completed or WorkItemStatus.Failed or WorkItemStatus.Cancelled;

    private static List<string> QueueOf(TenantAccount tenant, PriorityTier tier)
    {
        if (!tenant.Queues.TryGetValue(tier, out var queue))
        {
            queue = [];
            tenant.Queues.Add(tier, queue);
        }

        return queue;
    }

    private void InsertInOrder(List<string> queue, WorkItem item)
    {
        var index = 0;
        while (index < queue.Count && state.Items[queue[index]].Sequence < item.Sequence)
        {
            index++;
        }

        queue.Insert(index, item.Id);
    }

    private void Record(SchedulerEventKind kind, WorkItem item, DateTimeOffset now, string? workerId, string? reason) =>
        state.Events.Add(new SchedulerEvent(kind, item.Id, item.JobId, item.TenantId, item.Attempts, now, workerId, reason));
}
