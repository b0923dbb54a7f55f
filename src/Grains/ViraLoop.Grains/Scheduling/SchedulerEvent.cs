namespace ViraLoop.Grains.Scheduling;

/// <summary>Something that happened to an item, kept in the state until <see cref="FairScheduler.TakeEvents"/>, so
/// the owner can tell jobs about expiries and failures the scheduler decided on its own.</summary>
public sealed record SchedulerEvent(
    SchedulerEventKind Kind,
    string ItemId,
    string JobId,
    string TenantId,
    int Attempts,
    DateTimeOffset At,
    string? WorkerId = null,
    string? Reason = null);
