namespace ViraLoop.Grains.Scheduling;

public enum EnqueueOutcome
{
    Accepted,
    /// <summary>The scheduler already holds an item with this id (in any state); nothing changed.</summary>
    Duplicate,
    Rejected,
}
