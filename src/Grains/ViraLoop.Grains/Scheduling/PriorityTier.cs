namespace ViraLoop.Grains.Scheduling;

/// <summary>
/// Priority tiers, lowest first. A tenant's plan sets its ceiling; a request may ask for a lower tier, never a higher one.
/// Higher tiers are served strictly first, except that a waiting item climbs one tier per
/// <see cref="SchedulerOptions.AgingStep"/> (see <see cref="FairScheduler"/>).
/// </summary>
public enum PriorityTier
{
    Low = 0,
    Standard = 1,
    High = 2,
}
