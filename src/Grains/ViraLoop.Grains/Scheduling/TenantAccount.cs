namespace ViraLoop.Grains.Scheduling;

/// <summary>A tenant's plan, fairness account and queues (state).</summary>
public sealed class TenantAccount
{
    public string TenantId { get; set; } = "";
    public double Weight { get; set; } = 1;
    public PriorityTier PriorityCeiling { get; set; }
    /// <summary>Virtual finish tag of the tenant's last dispatched item (start-time fair queuing).</summary>
    public double VirtualFinish { get; set; }
    /// <summary>Items of this tenant holding a lease now (including cancelled ones still draining).</summary>
    public int LeasedSlots { get; set; }
    /// <summary>Queued item ids per requested tier, each in <see cref="WorkItem.Sequence"/> order.</summary>
    public Dictionary<PriorityTier, List<string>> Queues { get; set; } = [];

    public int QueuedCount()
    {
        var count = 0;
        foreach (var queue in Queues.Values)
        {
            count += queue.Count;
        }

        return count;
    }
}
