namespace ViraLoop.Media.Visuals.Backends;

/// <summary>HTTP 401/403, or no key configured. The message names <see cref="ApiKeyVariable"/>, the environment variable that holds the key.</summary>
public sealed class VisualBackendAuthenticationException(string backend, string message, int? statusCode, string apiKeyVariable)
    : VisualBackendException(backend, message, statusCode, isRetryable: false)
{
    public string ApiKeyVariable { get; } = apiKeyVariable;
}
