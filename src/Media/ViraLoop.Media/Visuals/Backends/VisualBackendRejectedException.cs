namespace ViraLoop.Media.Visuals.Backends;

/// <summary>
/// The vendor refused the request itself (4xx: bad input, content policy, exhausted quota). Sending it again gives the
/// same answer: not retryable. <see cref="VendorCode"/> is the vendor's machine-readable code where it sent one.
/// </summary>
public sealed class VisualBackendRejectedException(string backend, string message, int statusCode, string? vendorCode, bool isContentPolicy)
    : VisualBackendException(backend, message, statusCode, isRetryable: false)
{
    public string? VendorCode { get; } = vendorCode;

    /// <summary>The vendor's moderation refused the prompt (or would refuse its output).</summary>
    public bool IsContentPolicy { get; } = isContentPolicy;
}
