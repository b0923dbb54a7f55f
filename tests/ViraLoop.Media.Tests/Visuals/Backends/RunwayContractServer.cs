using System.Collections.Concurrent;

namespace ViraLoop.Media.Tests.Visuals.Backends;

/// <summary>
/// A local server that follows Runway's developer API contract (docs.dev.runwayml.com, X-Runway-Version 2024-11-06):
/// <c>POST /v1/text_to_video</c> needs a Bearer key and the version header, checks the body (model, promptText ≤ 1000
/// characters, a pixel ratio such as 720:1280, an integer duration 2..10) and answers <c>{"id"}</c>; each
/// <c>GET /v1/tasks/{id}</c> moves the task one step along <see cref="Lifecycle"/> (PENDING, THROTTLED, RUNNING with
/// progress, then SUCCEEDED with signed output URLs, or FAILED with failure and failureCode); the output URL serves the
/// MP4. Errors: 400 <c>{"error": "..."}</c>, 401, 404 for an unknown task, and whatever <see cref="CreateAnswer"/> says.
/// </summary>
public sealed class RunwayContractServer : IDisposable
{
    public const string Key = "key_0123456789abcdef";
    private readonly VendorContractServer _server;
    private readonly ConcurrentDictionary<string, int> _polls = new();
    private readonly byte[] _video;

    public RunwayContractServer(byte[] video)
    {
        _video = video;
        _server = new VendorContractServer(Handle);
    }

    /// <summary>The statuses a task goes through, one per poll; the last one repeats.</summary>
    public string[] Lifecycle { get; set; } = ["PENDING", "THROTTLED", "RUNNING", "SUCCEEDED"];

    public (string Reason, string Code) Failure { get; set; } = ("", "");

    /// <summary>When set, answers task creation instead of the documented success (error and rate-limit answers).</summary>
    public Func<VendorContractServer.Request, VendorContractServer.Response>? CreateAnswer { get; set; }

    /// <summary>When set and it answers (not null), answers task creation; null lets the documented success through.</summary>
    public Func<VendorContractServer.Request, VendorContractServer.Response?>? CreateInterceptor { get; set; }

    /// <summary>When set, answers task polls instead of the lifecycle (5xx while the API sheds load).</summary>
    public Func<VendorContractServer.Request, VendorContractServer.Response>? PollAnswer { get; set; }

    /// <summary>Rewrites the output URL a succeeded task names (a crafted or hostile answer).</summary>
    public Func<string, string>? OutputUrl { get; set; }

    /// <summary>The content type the output URL answers with.</summary>
    public string DownloadType { get; set; } = "video/mp4";

    /// <summary>When set, the output URL answers 302 to this address instead of the video.</summary>
    public string? RedirectDownloadTo { get; set; }

    /// <summary>Output URLs that answer 403 (expired signature) once before serving.</summary>
    public bool FirstDownloadExpired { get; set; }

    public string BaseUrl => _server.BaseUrl;
    public IReadOnlyList<VendorContractServer.Request> Requests => _server.Requests;
    public int Creates => _server.Count("POST", "/v1/text_to_video");

    private int _downloads;

    private VendorContractServer.Response Handle(VendorContractServer.Request r)
    {
        if (!r.Headers.TryGetValue("Authorization", out var auth) || auth != $"Bearer {Key}")
        {
            if (!r.Path.StartsWith("/cdn/", StringComparison.Ordinal))
                return VendorContractServer.Response.Json(new { error = "Invalid API key." }, 401);
        }
        if (r.Method == "GET" && r.Path.StartsWith("/cdn/", StringComparison.Ordinal))
        {
            if (r.Headers.ContainsKey("Authorization")) return VendorContractServer.Response.Json(new { error = "The API key must not be sent to the CDN." }, 400);
            if (FirstDownloadExpired && Interlocked.Increment(ref _downloads) == 1 || !r.Query.Contains("_jwt=", StringComparison.Ordinal))
                return new(403, "application/xml", "<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>"u8.ToArray());
            if (RedirectDownloadTo is { } to) return new(302, "text/plain", [], new Dictionary<string, string> { ["Location"] = to });
            return new(200, DownloadType, _video);
        }
        if (!r.Headers.TryGetValue("X-Runway-Version", out var version) || version != "2024-11-06")
            return VendorContractServer.Response.Json(new { error = "The X-Runway-Version header is missing or not a supported version." }, 400);
        if (r.Method == "POST" && r.Path == "/v1/text_to_video")
        {
            if (CreateAnswer is { } answer) return answer(r);
            if (CreateInterceptor?.Invoke(r) is { } intercepted) return intercepted;
            var body = r.Json();
            string? problem = !body.TryGetProperty("model", out var model) || model.GetString() is not ("gen4.5" or "veo3" or "veo3.1" or "veo3.1_fast") ? "model: Invalid enum value."
                : !body.TryGetProperty("promptText", out var prompt) || prompt.GetString() is not { Length: > 0 and <= 1000 } ? "promptText: String must contain between 1 and 1000 characters."
                : !body.TryGetProperty("ratio", out var ratio) || ratio.GetString() is not ("1280:720" or "720:1280" or "1104:832" or "832:1104" or "960:960" or "1584:672") ? "ratio: Invalid enum value."
                : !body.TryGetProperty("duration", out var duration) || !duration.TryGetInt32(out var d) || d is < 2 or > 10 ? "duration: Number must be an integer between 2 and 10."
                : body.TryGetProperty("seed", out var seed) && (!seed.TryGetInt64(out var s) || s is < 0 or > 4294967295) ? "seed: Number must be between 0 and 4294967295."
                : null;
            if (problem is not null) return VendorContractServer.Response.Json(new { error = problem }, 400);
            var id = Guid.NewGuid().ToString();
            _polls[id] = -1; // the first poll moves it to step 0
            return VendorContractServer.Response.Json(new { id });
        }
        if (r.Method == "GET" && r.Path.StartsWith("/v1/tasks/", StringComparison.Ordinal))
        {
            if (PollAnswer is { } pollAnswer) return pollAnswer(r);
            var id = r.Path["/v1/tasks/".Length..];
            if (!_polls.ContainsKey(id)) return VendorContractServer.Response.Json(new { error = "Task not found." }, 404);
            int step = _polls.AddOrUpdate(id, 0, (_, n) => n + 1);
            var status = Lifecycle[Math.Min(step, Lifecycle.Length - 1)];
            const string createdAt = "2026-11-23T10:00:00.000Z";
            return status switch
            {
                "RUNNING" => VendorContractServer.Response.Json(new { id, status, createdAt, progress = 0.42 }),
                "SUCCEEDED" => VendorContractServer.Response.Json(new { id, status, createdAt, output = new[] { (OutputUrl ?? (u => u))($"{BaseUrl}/cdn/{id}.mp4?_jwt=signed-{step}") } }),
                "FAILED" => VendorContractServer.Response.Json(new { id, status, createdAt, failure = Failure.Reason, failureCode = Failure.Code }),
                _ => VendorContractServer.Response.Json(new { id, status, createdAt }),
            };
        }
        return VendorContractServer.Response.Json(new { error = $"No route {r.Method} {r.Path}." }, 404);
    }

    public void Dispose() => _server.Dispose();
}
