namespace ViraLoop.Grains.Scheduling;

public enum SchedulerEventKind
{
    Completed,
    /// <summary>A lease expired or a worker reported a retryable failure; the item is queued again.</summary>
    Requeued,
    Failed,
    Cancelled,
}
