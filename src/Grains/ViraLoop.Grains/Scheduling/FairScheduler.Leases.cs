namespace ViraLoop.Grains.Scheduling;

public sealed partial class FairScheduler
{
    /// <summary>Heartbeat: extends the lease to now + <see cref="SchedulerOptions.LeaseDuration"/>. A cancelled item's
    /// lease is released instead and <see cref="LeaseOutcome.Cancelled"/> tells the worker to stop.</summary>
    public LeaseResult Renew(LeaseRef lease)
    {
        var now = time.GetUtcNow();
        var (item, refusal) = Current(lease, now);
        if (item is null)
        {
            return refusal!;
        }

        if (item.Status == WorkItemStatus.Cancelled)
        {
            Release(item);
            return new LeaseResult(LeaseOutcome.Cancelled, item.Status, null, "the job was cancelled");
        }

        item.Lease = item.Lease! with { Deadline = now + options.LeaseDuration };
        return new LeaseResult(LeaseOutcome.Accepted, item.Status, item.Lease.Deadline);
    }

    /// <summary>The worker finished the item. Only an <see cref="LeaseOutcome.Accepted"/> answer lets the caller
    /// keep the result; a stale or cancelled one must be discarded.</summary>
    public LeaseResult Complete(LeaseRef lease)
    {
        var now = time.GetUtcNow();
        var (item, refusal) = Current(lease, now);
        if (item is null)
        {
            return refusal!;
        }

        Release(item);
        if (item.Status == WorkItemStatus.Cancelled)
        {
            return new LeaseResult(LeaseOutcome.Cancelled, item.Status, null, "the job was cancelled; result discarded");
        }

        item.Status = WorkItemStatus.Completed;
        item.FinishedAt = now;
        Record(SchedulerEventKind.Completed, item, now, lease.WorkerId, null);
        return new LeaseResult(LeaseOutcome.Accepted, item.Status);
    }

    /// <summary>The worker could not finish the item. Retryable: queued again at its place unless this was the last
    /// attempt; not retryable: failed now. Either way <paramref name="reason"/> is kept for the job.</summary>
    public LeaseResult Fail(LeaseRef lease, string reason, bool retryable = true)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        var now = time.GetUtcNow();
        var (item, refusal) = Current(lease, now);
        if (item is null)
        {
            return refusal!;
        }

        Release(item);
        if (item.Status == WorkItemStatus.Cancelled)
        {
            return new LeaseResult(LeaseOutcome.Cancelled, item.Status, null, "the job was cancelled");
        }

        if (retryable)
        {
            Retry(item, now, lease.WorkerId, reason);
        }
        else
        {
            FailItem(item, now, lease.WorkerId, reason);
        }

        return new LeaseResult(LeaseOutcome.Accepted, item.Status, null, item.FailureReason);
    }

    /// <summary>Takes back every lease whose deadline has passed (deadline ≤ now): the item is queued again at its
    /// place, or fails after <see cref="SchedulerOptions.MaxAttempts"/>. Every other call does this first, so
    /// results never depend on when a timer ran. Returns how many leases expired.</summary>
    public int ExpireLeases() => ExpireLeases(time.GetUtcNow());

    private int ExpireLeases(DateTimeOffset now)
    {
        if (state.LeasedItemIds.Count == 0)
        {
            return 0;
        }

        var expired = state.LeasedItemIds
            .Select(id => state.Items[id])
            .Where(i => i.Lease!.Deadline <= now)
            .OrderBy(i => i.Lease!.Deadline)
            .ThenBy(i => i.Lease!.Token)
            .ToList();
        foreach (var item in expired)
        {
            var lease = item.Lease!;
            Release(item);
            if (item.Status == WorkItemStatus.Leased)
            {
                Retry(item, now, lease.WorkerId, $"the lease held by worker '{lease.WorkerId}' expired at {lease.Deadline:O} without a heartbeat");
            }
        }

        return expired.Count;
    }

    private (WorkItem? Item, LeaseResult? Refusal) Current(LeaseRef lease, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ExpireLeases(now);
        if (!state.Items.TryGetValue(lease.ItemId, out var item))
        {
            return (null, new LeaseResult(LeaseOutcome.UnknownItem, null, null, $"no item '{lease.ItemId}'"));
        }

        if (state.Workers.TryGetValue(lease.WorkerId, out var worker))
        {
            worker.LastSeen = now;
        }

        if (item.Lease is not { } current || current.Token != lease.Token || current.WorkerId != lease.WorkerId)
        {
            var why = item.Lease is null
                ? $"the item holds no lease (it is {item.Status})"
                : $"the item is leased to '{item.Lease.WorkerId}' under a newer token";
            return (null, new LeaseResult(LeaseOutcome.Stale, item.Status, null, $"lease {lease.Token} of worker '{lease.WorkerId}' expired or was reassigned: {why}"));
        }

        return (item, null);
    }

    private void Release(WorkItem item)
    {
        item.Lease = null;
        state.LeasedItemIds.Remove(item.Id);
        state.Tenants[item.TenantId].LeasedSlots--;
    }

    private void Retry(WorkItem item, DateTimeOffset now, string workerId, string reason)
    {
        if (item.Attempts >= options.MaxAttempts)
        {
            FailItem(item, now, workerId, $"gave up after {item.Attempts} attempts; last: {reason}");
            return;
        }

        var tenant = state.Tenants[item.TenantId];
        if (item.Tier > tenant.PriorityCeiling)
        {
            item.Tier = tenant.PriorityCeiling;
        }

        item.Status = WorkItemStatus.Queued;
        InsertInOrder(QueueOf(tenant, item.Tier), item);
        Record(SchedulerEventKind.Requeued, item, now, workerId, reason);
    }

    private void FailItem(WorkItem item, DateTimeOffset now, string workerId, string reason)
    {
        item.Status = WorkItemStatus.Failed;
        item.FinishedAt = now;
        item.FailureReason = reason;
        Record(SchedulerEventKind.Failed, item, now, workerId, reason);
    }
}
