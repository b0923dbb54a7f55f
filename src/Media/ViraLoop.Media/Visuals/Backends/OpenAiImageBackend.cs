using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Serialization;
using ViraLoop.Media.Storage;

namespace ViraLoop.Media.Visuals.Backends;

/// <summary>
/// One generated still per scene, given motion. <c>POST {base}/v1/images/generations</c> (model, prompt, n 1, a portrait
/// size, response_format b64_json where the model takes it) answers synchronously, so <see cref="CreateAsync"/> writes the
/// decoded still into the work directory before it returns, and the handle names that file: polling and downloading read
/// the file, never the vendor, so a crash after creation never pays again. <see cref="DownloadAsync"/> turns the still into
/// a clip of the scene's size and length with a slow zoom and pan (ffmpeg zoompan).
/// </summary>
public sealed class OpenAiImageBackend(HttpClient http, OpenAiImageBackendOptions options, TimeProvider? timeProvider = null) : IVisualBackend
{
    public const string BackendName = "openai-image";
    private const string StillKey = "still";
    private const int MaxPromptLength = 4000; // dall-e-3's limit, the smallest of the models that take portrait sizes
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    public string Name => BackendName;
    public string Version => $"{options.Model}@{options.PortraitSize}+zoompan1";
    public bool IsPaid => true;

    public async Task<VisualTaskHandle> CreateAsync(VisualJob job, string workDirectory, CancellationToken cancellationToken = default)
    {
        job.Validate();
        VendorHttp.RequireKey(options.ApiKey, Name, options.ApiKeyVariable);
        Directory.CreateDirectory(workDirectory);
        var body = new Dictionary<string, object>
        {
            ["model"] = options.Model,
            ["prompt"] = VisualPrompt.For(job, MaxPromptLength),
            ["n"] = 1,
            ["size"] = options.PortraitSize,
        };
        if (options.SendsResponseFormat) body["response_format"] = "b64_json";
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(new Uri(options.BaseUrl.TrimEnd('/') + "/"), "v1/images/generations"))
        {
            Content = JsonContent.Create(body),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.ApiKey);
        using var response = await VendorHttp.SendAsync(http, request, Name, paid: true, cancellationToken);
        await VendorHttp.EnsureSuccessAsync(response, Name, options.ApiKeyVariable, _time, cancellationToken);

        // From here on the image is paid for: keep it whatever happens to the caller's token.
        var images = await response.Content.ReadFromJsonAsync<ImagesResponse>(CancellationToken.None)
            ?? throw new VisualBackendUnavailableException(Name, $"{Name} answered 200 with an empty body.", 200, null);
        var b64 = images.Data?.FirstOrDefault()?.B64Json;
        if (string.IsNullOrEmpty(b64))
            throw new VisualBackendRejectedException(Name, $"{Name} answered 200 without b64_json image data (does {options.BaseUrl} support response_format b64_json?).", 200, null, false);
        byte[] bytes;
        try { bytes = Convert.FromBase64String(b64); }
        catch (FormatException e) { throw new VisualBackendUnavailableException(Name, $"{Name} sent image data that is not base64: {e.Message}", 200, null); }

        var taskId = $"img-{images.Created}-{Guid.NewGuid():N}";
        var still = Path.GetFullPath(Path.Combine(workDirectory, $"{taskId}{Extension(bytes)}"));
        await AtomicFile.WriteAsync(still, bytes, CancellationToken.None);
        return new VisualTaskHandle(Name, Version, taskId, job, _time.GetUtcNow(), new Dictionary<string, string>
        {
            [StillKey] = still,
            ["model"] = options.Model,
            ["size"] = options.PortraitSize,
            ["revisedPrompt"] = images.Data![0].RevisedPrompt ?? "",
        });
    }

    public Task<VisualTaskState> PollAsync(VisualTaskHandle handle, CancellationToken cancellationToken = default)
    {
        Check(handle);
        var still = handle.Get(StillKey);
        return Task.FromResult(still is not null && File.Exists(still)
            ? VisualTaskState.Succeeded("saved", [still])
            : VisualTaskState.Failed("missing", $"The still saved for task {handle.TaskId} ({still ?? "no path"}) is gone; generating it again would be paid again.",
                "STILL_MISSING", retryable: false));
    }

    public async Task<VisualClip> DownloadAsync(VisualTaskHandle handle, VisualTaskState done, string outputDirectory, CancellationToken cancellationToken = default)
    {
        Check(handle);
        if (done.Status != VisualTaskStatus.Succeeded || done.Outputs is not { Count: > 0 } outputs)
            throw new InvalidOperationException($"Task {handle.TaskId} has not succeeded ({done.Status} {done.VendorStatus}); there is nothing to download.");
        Directory.CreateDirectory(outputDirectory);
        var clip = Path.Combine(outputDirectory, $"{Slug(handle.Job.SceneId)}-{Name}-{handle.TaskId}.mp4");
        if (!File.Exists(clip)) await ClipFitter.StillToClipAsync(outputs[0], handle.Job, clip, cancellationToken);
        return new VisualClip(Path.GetFullPath(clip), handle.Job.Width, handle.Job.Height, handle.Job.Fps, handle.Job.DurationSeconds, Name,
            handle.BackendVersion, handle.TaskId, $"{handle.Get("model")} still ({handle.Get("size")}) with a slow zoom and pan");
    }

    private void Check(VisualTaskHandle handle)
    {
        if (handle.Backend != Name) throw new ArgumentException($"The handle belongs to backend '{handle.Backend}', not '{Name}'.", nameof(handle));
    }

    internal static string Slug(string s)
    {
        var chars = s.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-').ToArray();
        var slug = new string(chars).Trim('-');
        return slug.Length == 0 ? "scene" : slug.Length > 32 ? slug[..32] : slug;
    }

    private static string Extension(byte[] b) =>
        b is [0x89, 0x50, 0x4E, 0x47, ..] ? ".png" : b is [0xFF, 0xD8, ..] ? ".jpg" : b is [0x52, 0x49, 0x46, 0x46, _, _, _, _, 0x57, 0x45, 0x42, 0x50, ..] ? ".webp" : ".img";

    private sealed class ImagesResponse
    {
        [JsonPropertyName("created")] public long Created { get; set; }
        [JsonPropertyName("data")] public List<ImageData>? Data { get; set; }
    }

    private sealed class ImageData
    {
        [JsonPropertyName("b64_json")] public string? B64Json { get; set; }
        [JsonPropertyName("revised_prompt")] public string? RevisedPrompt { get; set; }
    }
}
