namespace ViraLoop.Grains.Scheduling;

/// <summary>Scheduler policy knobs; each default is defined here only.</summary>
public sealed record SchedulerOptions
{
    /// <summary>How long a grant or renewal holds an item. Workers renew well before it ends (e.g. every third of it).</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Grants per item; when the last one expires or fails, the item fails with the reason.</summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>A queued item climbs one tier for every full step it has waited (up to <see cref="PriorityTier.High"/>).</summary>
    public TimeSpan AgingStep { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Largest batch handed out; a pull may ask for less.</summary>
    public int MaxBatchSize { get; init; } = 4;

    /// <summary>A worker not heard from (pull, renew, complete, fail) for this long no longer counts towards total slots.</summary>
    public TimeSpan WorkerTimeout { get; init; } = TimeSpan.FromSeconds(60);

    public void Validate()
    {
        if (LeaseDuration <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(LeaseDuration), LeaseDuration, "The lease duration must be positive.");
        }

        if (MaxAttempts < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxAttempts), MaxAttempts, "At least one attempt is needed.");
        }

        if (AgingStep <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(AgingStep), AgingStep, "The aging step must be positive.");
        }

        if (MaxBatchSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxBatchSize), MaxBatchSize, "A batch holds at least one item.");
        }

        if (WorkerTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(WorkerTimeout), WorkerTimeout, "The worker timeout must be positive.");
        }
    }
}
