namespace ViraLoop.Grains.Scheduling;

/// <summary>Answer to <see cref="FairScheduler.Enqueue"/>: the tier the item was queued at, or why it was not.</summary>
public sealed record EnqueueResult(EnqueueOutcome Outcome, PriorityTier? Tier = null, string? Reason = null)
{
    public bool IsAccepted => Outcome == EnqueueOutcome.Accepted;
}
