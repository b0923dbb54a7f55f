namespace ViraLoop.Grains.Scheduling;

/// <summary>Answer to a renew, complete or fail call. <paramref name="Status"/> is the item's status afterwards,
/// <paramref name="Deadline"/> the new lease deadline after a renewal.</summary>
public sealed record LeaseResult(
    LeaseOutcome Outcome,
    WorkItemStatus? Status = null,
    DateTimeOffset? Deadline = null,
    string? Reason = null)
{
    public bool IsAccepted => Outcome == LeaseOutcome.Accepted;
}
