namespace ViraLoop.Grains.Scheduling;

public sealed partial class FairScheduler
{
    /// <summary>Leases up to <see cref="PullRequest.FreeSlots"/> items to the worker, grouped in batches of one key.</summary>
    public IReadOnlyList<WorkBatch> Pull(PullRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrWhiteSpace(request.WorkerId);
        ArgumentOutOfRangeException.ThrowIfLessThan(request.Capacity, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(request.FreeSlots);
        if (request.MaxBatchSize is { } asked)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(asked, 1);
        }

        var now = time.GetUtcNow();
        ExpireLeases(now);
        if (!state.Workers.TryGetValue(request.WorkerId, out var worker))
        {
            worker = new WorkerRecord { WorkerId = request.WorkerId };
            state.Workers.Add(worker.WorkerId, worker);
        }

        worker.Capacity = request.Capacity;
        worker.LastSeen = now;
        foreach (var gone in state.Workers.Values.Where(w => now - w.LastSeen > options.WorkerTimeout).Select(w => w.WorkerId).ToList())
        {
            state.Workers.Remove(gone);
        }

        var totalSlots = state.Workers.Values.Sum(w => w.Capacity);
        var slots = Math.Min(request.FreeSlots, request.Capacity);
        var batchSize = Math.Min(options.MaxBatchSize, request.MaxBatchSize ?? int.MaxValue);
        var batches = new List<WorkBatch>();
        while (slots > 0)
        {
            var head = Pick(now, totalSlots, null, null);
            if (head is null)
            {
                break;
            }

            state.VirtualTime = Math.Max(state.VirtualTime, head.Value.Start);
            var tier = EffectiveTier(head.Value.Item, now);
            var items = new List<LeasedWork> { Grant(head.Value, request.WorkerId, now) };
            slots--;
            while (slots > 0 && items.Count < batchSize)
            {
                var next = Pick(now, totalSlots, head.Value.Item.BatchKey, tier);
                if (next is null)
                {
                    break;
                }

                items.Add(Grant(next.Value, request.WorkerId, now));
                slots--;
            }

            batches.Add(new WorkBatch(head.Value.Item.BatchKey, items));
        }

        return batches;
    }

    /// <summary>
    /// Most slots a tenant may hold while another tenant under its own cap waits: its weight share of the live
    /// slots, rounded up, at least 1, and leaving one slot for each other tenant with work:
    /// clamp(ceil(total × w / W_active), 1, max(1, total − (active − 1))). Active = has queued or leased items.
    /// </summary>
    public int SlotCap(string tenantId)
    {
        var totalSlots = LiveSlots(time.GetUtcNow());
        var (weight, count) = ActiveWeight();
        return SlotCap(state.Tenants[tenantId], totalSlots, weight, count);
    }

    private int LiveSlots(DateTimeOffset now) =>
        state.Workers.Values.Where(w => now - w.LastSeen <= options.WorkerTimeout).Sum(w => w.Capacity);

    private (double Weight, int Count) ActiveWeight()
    {
        double weight = 0;
        var count = 0;
        foreach (var tenant in state.Tenants.Values)
        {
            if (tenant.LeasedSlots > 0 || tenant.QueuedCount() > 0)
            {
                weight += tenant.Weight;
                count++;
            }
        }

        return (weight, count);
    }

    private static int SlotCap(TenantAccount tenant, int totalSlots, double activeWeight, int activeCount)
    {
        if (totalSlots <= 0 || activeWeight <= 0)
        {
            return Math.Max(1, totalSlots);
        }

        var share = (int)Math.Ceiling((totalSlots * tenant.Weight / activeWeight) - 1e-9);
        var upper = Math.Max(1, totalSlots - (Math.Max(activeCount, 1) - 1));
        return Math.Clamp(share, 1, upper);
    }

    private readonly record struct Choice(WorkItem Item, TenantAccount Tenant, double Start);

    private Choice? Pick(DateTimeOffset now, int totalSlots, string? batchKey, PriorityTier? tier)
    {
        var (activeWeight, activeCount) = ActiveWeight();
        var waiting = new List<(TenantAccount Tenant, bool UnderCap)>();
        var anyUnderCap = false;
        foreach (var tenant in state.Tenants.Values)
        {
            if (tenant.QueuedCount() == 0)
            {
                continue;
            }

            var underCap = tenant.LeasedSlots < SlotCap(tenant, totalSlots, activeWeight, activeCount);
            anyUnderCap |= underCap;
            waiting.Add((tenant, underCap));
        }

        Choice? best = null;
        var bestTier = PriorityTier.Low;
        foreach (var (tenant, underCap) in waiting)
        {
            if (anyUnderCap && !underCap)
            {
                continue;
            }

            var candidate = HeadOf(tenant, now, batchKey, tier);
            if (candidate is null)
            {
                continue;
            }

            var (item, itemTier) = candidate.Value;
            var start = Math.Max(state.VirtualTime, tenant.VirtualFinish);
            var choice = new Choice(item, tenant, start);
            if (best is null || Better(choice, itemTier, best.Value, bestTier))
            {
                best = choice;
                bestTier = itemTier;
            }
        }

        return best;
    }

    private static bool Better(Choice a, PriorityTier aTier, Choice b, PriorityTier bTier)
    {
        if (aTier != bTier)
        {
            return aTier > bTier;
        }

        if (a.Start != b.Start)
        {
            return a.Start < b.Start;
        }

        var aFinish = a.Start + (a.Item.CostSeconds / a.Tenant.Weight);
        var bFinish = b.Start + (b.Item.CostSeconds / b.Tenant.Weight);
        if (aFinish != bFinish)
        {
            return aFinish < bFinish;
        }

        return a.Item.Sequence < b.Item.Sequence;
    }

    /// <summary>The tenant's next item: per tier queue its first item (of the batch key, when filling a batch);
    /// of those, the highest effective tier, then the earliest arrival.</summary>
    private (WorkItem Item, PriorityTier Tier)? HeadOf(TenantAccount tenant, DateTimeOffset now, string? batchKey, PriorityTier? tier)
    {
        (WorkItem Item, PriorityTier Tier)? best = null;
        foreach (var queue in tenant.Queues.Values)
        {
            WorkItem? head = null;
            foreach (var id in queue)
            {
                var item = state.Items[id];
                if (batchKey is null || item.BatchKey == batchKey)
                {
                    head = item;
                    break;
                }
            }

            if (head is null)
            {
                continue;
            }

            var effective = EffectiveTier(head, now);
            if (tier is { } wanted && effective != wanted)
            {
                continue;
            }

            if (best is null || effective > best.Value.Tier || (effective == best.Value.Tier && head.Sequence < best.Value.Item.Sequence))
            {
                best = (head, effective);
            }
        }

        return best;
    }

    private LeasedWork Grant(Choice choice, string workerId, DateTimeOffset now)
    {
        var (item, tenant, start) = choice;
        tenant.VirtualFinish = start + (item.CostSeconds / tenant.Weight);
        QueueOf(tenant, item.Tier).Remove(item.Id);
        item.Status = WorkItemStatus.Leased;
        item.Attempts++;
        item.Lease = new WorkLease(workerId, state.NextLeaseToken++, now, now + options.LeaseDuration);
        tenant.LeasedSlots++;
        state.LeasedItemIds.Add(item.Id);
        return new LeasedWork(
            new LeaseRef(item.Id, workerId, item.Lease.Token),
            item.JobId,
            item.TenantId,
            item.Tier,
            item.CostSeconds,
            item.BatchKey,
            item.Lease.Deadline,
            item.Attempts);
    }
}
