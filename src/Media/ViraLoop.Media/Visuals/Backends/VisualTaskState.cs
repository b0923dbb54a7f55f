namespace ViraLoop.Media.Visuals.Backends;

/// <summary>
/// One answer to a poll. <see cref="VisualTaskStatus.Pending"/>: queued (the vendor's own status, such as THROTTLED, is in
/// <see cref="VendorStatus"/>); <see cref="VisualTaskStatus.Running"/>: with <see cref="Progress"/> 0..1 where the vendor
/// says; <see cref="VisualTaskStatus.Succeeded"/>: <see cref="Outputs"/> are the result's locations (URLs or paths);
/// <see cref="VisualTaskStatus.Failed"/>: <see cref="FailureReason"/> in the vendor's words, its <see cref="FailureCode"/>,
/// and whether creating the task again could help (<see cref="Retryable"/>; it would be paid again).
/// </summary>
public sealed record VisualTaskState(
    VisualTaskStatus Status,
    string VendorStatus,
    double? Progress = null,
    IReadOnlyList<string>? Outputs = null,
    string? FailureReason = null,
    string? FailureCode = null,
    bool Retryable = false)
{
    public bool IsTerminal => Status is VisualTaskStatus.Succeeded or VisualTaskStatus.Failed;

    public static VisualTaskState Pending(string vendorStatus) => new(VisualTaskStatus.Pending, vendorStatus);

    public static VisualTaskState Running(string vendorStatus, double? progress) =>
        new(VisualTaskStatus.Running, vendorStatus, progress is { } p ? Math.Clamp(p, 0, 1) : null);

    public static VisualTaskState Succeeded(string vendorStatus, IReadOnlyList<string> outputs) =>
        new(VisualTaskStatus.Succeeded, vendorStatus, 1, outputs);

    public static VisualTaskState Failed(string vendorStatus, string reason, string? code, bool retryable) =>
        new(VisualTaskStatus.Failed, vendorStatus, FailureReason: reason, FailureCode: code, Retryable: retryable);
}
