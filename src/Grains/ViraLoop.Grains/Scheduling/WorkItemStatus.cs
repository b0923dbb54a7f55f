namespace ViraLoop.Grains.Scheduling;

public enum WorkItemStatus
{
    Queued,
    Leased,
    Completed,
    Failed,
    /// <summary>Terminal. A cancelled item may still hold its lease until its worker reports or the lease expires,
    /// so the slot stays counted while the GPU is still busy with it.</summary>
    Cancelled,
}
