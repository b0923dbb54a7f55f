using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;

namespace ViraLoop.Media.Visuals.Backends;

/// <summary>Turns a vendor's HTTP answers into the port's typed errors; one request per call, no hidden retries.</summary>
internal static class VendorHttp
{
    /// <summary>Sends one request; a transport failure or a timeout becomes <see cref="VisualBackendUnavailableException"/>.</summary>
    public static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpRequestMessage request, string backend, bool paid,
        CancellationToken cancellationToken, HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        try
        {
            return await http.SendAsync(request, completion, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            // A connection that was never made cannot have created anything; one that broke after sending might have.
            bool unknown = paid && e.HttpRequestError is not (HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError);
            throw new VisualBackendUnavailableException(backend, $"{backend} could not be reached at {request.RequestUri}: {e.Message}", null, null, unknown, e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new VisualBackendUnavailableException(backend, $"{backend} did not answer {request.Method} {request.RequestUri} in time.", null, null, paid, e);
        }
    }

    /// <summary>Throws the typed error for a non-success answer; returns for 2xx.</summary>
    public static async Task EnsureSuccessAsync(HttpResponseMessage response, string backend, string apiKeyVariable, TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode) return;
        int status = (int)response.StatusCode;
        string body = await response.Content.ReadAsStringAsync(cancellationToken);
        var (message, code) = ReadError(body);
        string what = $"{backend} answered HTTP {status} to {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.AbsolutePath}: {message}";
        var retryAfter = RetryAfter(response.Headers, time);
        throw status switch
        {
            401 or 403 => new VisualBackendAuthenticationException(backend,
                $"{backend} refused the API key (HTTP {status}): {message}. Check the key in the environment variable {apiKeyVariable}.", status, apiKeyVariable),
            // OpenAI answers 429 also for an exhausted quota or billing limit: waiting does not help there.
            429 when code is "insufficient_quota" or "billing_hard_limit_reached" => new VisualBackendRejectedException(backend, what, status, code, false),
            429 => new VisualBackendRateLimitedException(backend, what + (retryAfter is { } d ? $" (retry after {d.TotalSeconds:0.###} s)" : ""), retryAfter),
            >= 500 => new VisualBackendUnavailableException(backend, what, status, retryAfter),
            408 => new VisualBackendUnavailableException(backend, what, status, retryAfter, outcomeUnknown: true),
            _ => new VisualBackendRejectedException(backend, what, status, code, IsContentPolicy(code, message)),
        };
    }

    /// <summary>The vendor's Retry-After: retry-after-ms (OpenAI), else delta-seconds or an HTTP date (RFC 9110).</summary>
    public static TimeSpan? RetryAfter(HttpResponseHeaders headers, TimeProvider time)
    {
        if (headers.TryGetValues("retry-after-ms", out var ms)
            && double.TryParse(ms.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var millis) && millis >= 0)
            return TimeSpan.FromMilliseconds(millis);
        if (headers.RetryAfter is not { } ra) return null;
        if (ra.Delta is { } delta) return delta;
        if (ra.Date is { } date) { var wait = date - time.GetUtcNow(); return wait > TimeSpan.Zero ? wait : TimeSpan.Zero; }
        return null;
    }

    /// <summary>
    /// The human-readable message and machine code of an error body: OpenAI's <c>{"error":{"message","code"}}</c>, Runway's
    /// <c>{"error":"…"}</c>, or the raw text.
    /// </summary>
    public static (string Message, string? Code) ReadError(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var error))
            {
                if (error.ValueKind == JsonValueKind.String) return (error.GetString() ?? "", null);
                if (error.ValueKind == JsonValueKind.Object)
                {
                    string msg = error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() ?? "" : error.GetRawText();
                    string? code = error.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString()
                        : error.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
                    return (msg, code);
                }
            }
        }
        catch (JsonException) { }
        var text = body.Trim();
        return (text.Length == 0 ? "(empty body)" : text.Length > 500 ? text[..500] + "…" : text, null);
    }

    private static bool IsContentPolicy(string? code, string message) =>
        new[] { code ?? "", message }.Any(s => s.Contains("content_policy", StringComparison.OrdinalIgnoreCase)
            || s.Contains("moderation", StringComparison.OrdinalIgnoreCase) || s.Contains("safety", StringComparison.OrdinalIgnoreCase)
            || s.Contains("content policy", StringComparison.OrdinalIgnoreCase));

    /// <summary>A key is required before any paid request: say which variable is missing.</summary>
    public static void RequireKey(string? key, string backend, string apiKeyVariable)
    {
        if (string.IsNullOrWhiteSpace(key))
            throw new VisualBackendAuthenticationException(backend, $"{backend} has no API key: set the environment variable {apiKeyVariable}.", null, apiKeyVariable);
    }
}
