namespace ViraLoop.Grains.Scheduling;

/// <summary>Everything the scheduler knows; the Scheduler grain persists this object as is.</summary>
public sealed class SchedulerState
{
    public Dictionary<string, TenantAccount> Tenants { get; set; } = [];
    /// <summary>Every item not yet pruned, in any status.</summary>
    public Dictionary<string, WorkItem> Items { get; set; } = [];
    /// <summary>Ids of items that hold a lease (leased, or cancelled and still draining).</summary>
    public HashSet<string> LeasedItemIds { get; set; } = [];
    public Dictionary<string, WorkerRecord> Workers { get; set; } = [];
    /// <summary>System virtual time: the start tag of the last item chosen in fair order.</summary>
    public double VirtualTime { get; set; }
    public long NextSequence { get; set; }
    /// <summary>Next fencing token; tokens only grow, so every grant is distinguishable from all earlier ones.</summary>
    public long NextLeaseToken { get; set; } = 1;
    public List<SchedulerEvent> Events { get; set; } = [];
}
