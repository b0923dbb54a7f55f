namespace ViraLoop.Media.Visuals.Backends;

/// <summary>HTTP 429: too many requests. <see cref="RetryAfter"/> is the vendor's own Retry-After, when it sent one.</summary>
public sealed class VisualBackendRateLimitedException(string backend, string message, TimeSpan? retryAfter)
    : VisualBackendException(backend, message, 429, isRetryable: true)
{
    public TimeSpan? RetryAfter { get; } = retryAfter;
}
