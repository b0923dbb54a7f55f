namespace ViraLoop.Grains.Messages;

/// <summary>Where a video job stands. Completed, Failed, Cancelled and Rejected (refused by the content policy) are final.</summary>
[GenerateSerializer, Alias("vl.job-status")]
public enum JobStatus
{
    Accepted = 0,
    Scripting = 1,
    AwaitingApproval = 2,
    Scenes = 3,
    Assembly = 4,
    Packaging = 5,
    Completed = 6,
    Failed = 7,
    Cancelled = 8,

    /// <summary>The content policy refused the order or its script; <see cref="JobSnapshot.Rejection"/> says where and why.</summary>
    Rejected = 9,
}

public static class JobStatuses
{
    public static bool IsFinal(this JobStatus s) => s is JobStatus.Completed or JobStatus.Failed or JobStatus.Cancelled or JobStatus.Rejected;

    /// <summary>The lower-case, dash-separated name events and APIs use (awaiting-approval).</summary>
    public static string Name(this JobStatus s) => s switch
    {
        JobStatus.AwaitingApproval => "awaiting-approval",
        _ => s.ToString().ToLowerInvariant(),
    };
}
