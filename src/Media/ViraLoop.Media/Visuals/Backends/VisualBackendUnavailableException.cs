namespace ViraLoop.Media.Visuals.Backends;

/// <summary>
/// The vendor is down or shedding load (5xx), or did not answer at all (<see cref="VisualBackendException.StatusCode"/> null).
/// <see cref="OutcomeUnknown"/>: the request may have reached the vendor and been accepted (a create that timed out): do
/// not create again blindly, that may pay twice.
/// </summary>
public sealed class VisualBackendUnavailableException(string backend, string message, int? statusCode, TimeSpan? retryAfter,
    bool outcomeUnknown = false, Exception? inner = null)
    : VisualBackendException(backend, message, statusCode, isRetryable: true, inner)
{
    public TimeSpan? RetryAfter { get; } = retryAfter;

    public bool OutcomeUnknown { get; } = outcomeUnknown;
}
