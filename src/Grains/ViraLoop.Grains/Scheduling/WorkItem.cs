namespace ViraLoop.Grains.Scheduling;

/// <summary>One item as the scheduler holds it (state: plain settable properties so it can be persisted).</summary>
public sealed class WorkItem
{
    public string Id { get; set; } = "";
    public string JobId { get; set; } = "";
    public string TenantId { get; set; } = "";
    /// <summary>The tier it was accepted at (after a plan downgrade, at most the new ceiling). Aging is applied on top.</summary>
    public PriorityTier Tier { get; set; }
    public double CostSeconds { get; set; }
    public string BatchKey { get; set; } = "";
    /// <summary>First enqueue; kept across requeues, so aging keeps counting.</summary>
    public DateTimeOffset EnqueuedAt { get; set; }
    /// <summary>Global arrival order; a tenant's queue is kept in this order (FIFO), requeued items return to their place.</summary>
    public long Sequence { get; set; }
    /// <summary>How many times it has been leased.</summary>
    public int Attempts { get; set; }
    public WorkItemStatus Status { get; set; }
    public WorkLease? Lease { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public string? FailureReason { get; set; }
}
