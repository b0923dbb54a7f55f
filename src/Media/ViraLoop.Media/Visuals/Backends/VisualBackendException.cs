namespace ViraLoop.Media.Visuals.Backends;

/// <summary>A visual backend's vendor refused or could not answer. <see cref="IsRetryable"/> says whether the same request may succeed later.</summary>
public abstract class VisualBackendException(string backend, string message, int? statusCode, bool isRetryable, Exception? inner = null)
    : Exception(message, inner)
{
    /// <summary>The backend's <see cref="IVisualBackend.Name"/>.</summary>
    public string Backend { get; } = backend;

    /// <summary>The vendor's HTTP status, or null when no answer came.</summary>
    public int? StatusCode { get; } = statusCode;

    public bool IsRetryable { get; } = isRetryable;
}
