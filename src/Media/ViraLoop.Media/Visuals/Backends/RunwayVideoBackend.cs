using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Serialization;
using ViraLoop.Media.Storage;

namespace ViraLoop.Media.Visuals.Backends;

/// <summary>
/// Runway's asynchronous task API (docs.dev.runwayml.com, X-Runway-Version 2024-11-06): <c>POST /v1/text_to_video</c>
/// (model, promptText, ratio, duration in whole seconds, seed) answers a task id; <c>GET /v1/tasks/{id}</c> answers
/// PENDING, THROTTLED (over the organisation's concurrency, queued), RUNNING (progress 0..1), SUCCEEDED (output: signed
/// URLs that expire in a day or two) or FAILED (failure, failureCode), and CANCELLED. The first output is downloaded,
/// scaled and centre-cropped to the job's size and looped or cut to its length.
/// <para>HTTP errors as documented: 400 bad input (not retryable), 401 bad key, 429 daily limit (retry later), 502/503/504
/// shedding load (retry). Task failures: SAFETY.INPUT.* and INPUT_PREPROCESSING.SAFETY.* are moderation refusals, never
/// retried; INTERNAL.BAD_OUTPUT.*, INTERNAL.* and INPUT_PREPROCESSING.INTERNAL may be retried.</para>
/// </summary>
public sealed class RunwayVideoBackend(HttpClient http, RunwayBackendOptions options, TimeProvider? timeProvider = null) : IVisualBackend
{
    public const string BackendName = "runway";
    private const int MaxPromptLength = 1000;
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    public string Name => BackendName;
    public string Version => $"{options.Model}@{options.ApiVersion}:{options.Ratio}";
    public bool IsPaid => true;

    public async Task<VisualTaskHandle> CreateAsync(VisualJob job, string workDirectory, CancellationToken cancellationToken = default)
    {
        job.Validate();
        VendorHttp.RequireKey(options.ApiKey, Name, options.ApiKeyVariable);
        int duration = VendorDuration(options.Model, job.DurationSeconds);
        using var request = Request(HttpMethod.Post, "v1/text_to_video");
        request.Content = JsonContent.Create(new TextToVideoRequest(options.Model, VisualPrompt.For(job, MaxPromptLength), options.Ratio, duration,
            (uint)job.Seed));
        using var response = await VendorHttp.SendAsync(http, request, Name, paid: true, cancellationToken);
        await VendorHttp.EnsureSuccessAsync(response, Name, options.ApiKeyVariable, _time, cancellationToken);
        var created = await response.Content.ReadFromJsonAsync<TaskResponse>(CancellationToken.None);
        if (string.IsNullOrEmpty(created?.Id))
            throw new VisualBackendUnavailableException(Name, $"{Name} accepted the task but its answer has no id.", (int)response.StatusCode, null, outcomeUnknown: true);
        return new VisualTaskHandle(Name, Version, created.Id, job, _time.GetUtcNow(), new Dictionary<string, string>
        {
            ["model"] = options.Model,
            ["ratio"] = options.Ratio,
            ["duration"] = duration.ToString(CultureInfo.InvariantCulture),
        });
    }

    public async Task<VisualTaskState> PollAsync(VisualTaskHandle handle, CancellationToken cancellationToken = default)
    {
        Check(handle);
        VendorHttp.RequireKey(options.ApiKey, Name, options.ApiKeyVariable);
        using var request = Request(HttpMethod.Get, $"v1/tasks/{Uri.EscapeDataString(handle.TaskId)}");
        using var response = await VendorHttp.SendAsync(http, request, Name, paid: false, cancellationToken);
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
            return VisualTaskState.Failed("NOT_FOUND", $"Runway no longer knows task {handle.TaskId} (deleted, cancelled or expired).", "NOT_FOUND", retryable: false);
        await VendorHttp.EnsureSuccessAsync(response, Name, options.ApiKeyVariable, _time, cancellationToken);
        var task = await response.Content.ReadFromJsonAsync<TaskResponse>(cancellationToken)
            ?? throw new VisualBackendUnavailableException(Name, $"{Name} answered an empty task for {handle.TaskId}.", (int)response.StatusCode, null);
        return task.Status switch
        {
            "PENDING" or "THROTTLED" => VisualTaskState.Pending(task.Status),
            "RUNNING" => VisualTaskState.Running(task.Status, task.Progress),
            "SUCCEEDED" when task.Output is { Count: > 0 } output => VisualTaskState.Succeeded(task.Status, output),
            "SUCCEEDED" => VisualTaskState.Failed(task.Status, $"Runway reported task {handle.TaskId} done without any output.", "NO_OUTPUT", retryable: true),
            "FAILED" => VisualTaskState.Failed(task.Status, task.Failure ?? "Runway gave no reason.", task.FailureCode, IsRetryableFailure(task.FailureCode)),
            "CANCELLED" => VisualTaskState.Failed(task.Status, $"Task {handle.TaskId} was cancelled.", "CANCELLED", retryable: false),
            _ => VisualTaskState.Running(task.Status ?? "UNKNOWN", task.Progress),
        };
    }

    public async Task<VisualClip> DownloadAsync(VisualTaskHandle handle, VisualTaskState done, string outputDirectory, CancellationToken cancellationToken = default)
    {
        Check(handle);
        if (done.Status != VisualTaskStatus.Succeeded || done.Outputs is not { Count: > 0 })
            throw new InvalidOperationException($"Runway task {handle.TaskId} has not succeeded ({done.Status} {done.VendorStatus}); there is nothing to download.");
        Directory.CreateDirectory(outputDirectory);
        var clip = Path.Combine(outputDirectory, $"{OpenAiImageBackend.Slug(handle.Job.SceneId)}-{Name}-{OpenAiImageBackend.Slug(handle.TaskId)}.mp4");
        if (!File.Exists(clip))
        {
            var source = Path.Combine(outputDirectory, $".{OpenAiImageBackend.Slug(handle.TaskId)}.vendor.mp4");
            try
            {
                if (!await TryFetchAsync(done.Outputs[0], source, cancellationToken))
                {
                    // Signed output URLs expire: a fresh poll gives fresh ones (the task is already paid; polling is free).
                    var again = await PollAsync(handle, cancellationToken);
                    if (again.Status != VisualTaskStatus.Succeeded || again.Outputs is not { Count: > 0 } fresh || !await TryFetchAsync(fresh[0], source, cancellationToken))
                        throw new VisualBackendRejectedException(Name, $"The output of Runway task {handle.TaskId} can no longer be downloaded (its signed URL expired and no fresh one was given).", 410, "OUTPUT_EXPIRED", false);
                }
                await ClipFitter.VideoToClipAsync(source, handle.Job, clip, cancellationToken);
            }
            finally
            {
                if (File.Exists(source)) File.Delete(source);
            }
        }
        return new VisualClip(Path.GetFullPath(clip), handle.Job.Width, handle.Job.Height, handle.Job.Fps, handle.Job.DurationSeconds, Name,
            handle.BackendVersion, handle.TaskId,
            $"{handle.Get("model")} text-to-video ({handle.Get("ratio")}, {handle.Get("duration")} s) scaled, cropped and looped or cut to {handle.Job.Width}x{handle.Job.Height}, {handle.Job.DurationSeconds:0.###} s");
    }

    /// <summary>
    /// The whole-second duration the model accepts that covers the scene (shorter scenes cut the clip, longer ones loop it):
    /// gen4.5 takes 2..10 s; veo3.1 and veo3.1_fast 4, 6 or 8 s; veo3 8 s.
    /// </summary>
    public static int VendorDuration(string model, double sceneSeconds)
    {
        int wanted = (int)Math.Ceiling(sceneSeconds - 1e-9);
        if (model.StartsWith("veo3.1", StringComparison.OrdinalIgnoreCase))
            return new[] { 4, 6, 8 }.FirstOrDefault(d => d >= wanted, 8);
        if (model.StartsWith("veo3", StringComparison.OrdinalIgnoreCase)) return 8;
        return Math.Clamp(wanted, 2, 10);
    }

    /// <summary>Whether a FAILED task's code says that creating it again (and paying again) could succeed.</summary>
    public static bool IsRetryableFailure(string? failureCode) => failureCode switch
    {
        null => false,
        _ when failureCode.StartsWith("SAFETY.INPUT", StringComparison.Ordinal) => false,
        _ when failureCode.StartsWith("INPUT_PREPROCESSING.SAFETY", StringComparison.Ordinal) => false,
        _ when failureCode.StartsWith("ASSET.INVALID", StringComparison.Ordinal) => false,
        _ when failureCode.StartsWith("INTERNAL", StringComparison.Ordinal) => true,
        _ when failureCode.StartsWith("INPUT_PREPROCESSING.INTERNAL", StringComparison.Ordinal) => true,
        _ when failureCode.StartsWith("SAFETY.OUTPUT", StringComparison.Ordinal) => true,
        _ => false,
    };

    private async Task<bool> TryFetchAsync(string url, string path, CancellationToken cancellationToken)
    {
        // A signed CDN URL: it carries its own credentials, so the API key is not sent with it; what it may fetch is guarded.
        return await GuardedDownload.FetchAsync(http, url, options.BaseUrl, path, options.Downloads, Name, cancellationToken);
    }

    private HttpRequestMessage Request(HttpMethod method, string relative)
    {
        var request = new HttpRequestMessage(method, new Uri(new Uri(options.BaseUrl.TrimEnd('/') + "/"), relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.ApiKey);
        request.Headers.Add("X-Runway-Version", options.ApiVersion);
        return request;
    }

    private void Check(VisualTaskHandle handle)
    {
        if (handle.Backend != Name) throw new ArgumentException($"The handle belongs to backend '{handle.Backend}', not '{Name}'.", nameof(handle));
    }

    private sealed record TextToVideoRequest(
        [property: JsonPropertyName("model")] string Model,
        [property: JsonPropertyName("promptText")] string PromptText,
        [property: JsonPropertyName("ratio")] string Ratio,
        [property: JsonPropertyName("duration")] int Duration,
        [property: JsonPropertyName("seed")] uint Seed);

    private sealed class TaskResponse
    {
        [JsonPropertyName("id")] public string? Id { get; set; }
        [JsonPropertyName("status")] public string? Status { get; set; }
        [JsonPropertyName("progress")] public double? Progress { get; set; }
        [JsonPropertyName("output")] public List<string>? Output { get; set; }
        [JsonPropertyName("failure")] public string? Failure { get; set; }
        [JsonPropertyName("failureCode")] public string? FailureCode { get; set; }
    }
}
