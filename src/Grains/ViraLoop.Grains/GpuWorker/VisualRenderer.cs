using System.Text.Json;
using Microsoft.Extensions.Logging;
using ViraLoop.Grains.Execution;
using ViraLoop.Grains.Messages;
using ViraLoop.Media.Pipeline.Steps;
using ViraLoop.Media.Safety.Moderation;
using ViraLoop.Media.Visuals.Backends;

namespace ViraLoop.Grains.GpuWorker;

/// <summary>
/// Makes one scene's visual on a GPU worker. Procedural: the scene's description and its preview frame. A remote backend:
/// its task handle is stored (beside the cache entry, on the shared store) <b>before</b> polling, so a worker that takes
/// over after a crash resumes the same paid task instead of paying again; the vendor's own retryable answers (rate limit,
/// 5xx, with its Retry-After) are retried a few times, and then — or on a refusal — the scene falls back to the procedural
/// renderer with a note that says so. Files are written under the lease's token, so a stale worker can never overwrite
/// the accepted result.
/// </summary>
internal sealed class VisualRenderer(PipelineServices services, ILogger log)
{
    private const int VendorRetries = 3;
    private static readonly TimeSpan MaxVendorWait = TimeSpan.FromSeconds(30);
    private static readonly JsonSerializerOptions HandleJson = new(JsonSerializerDefaults.Web);

    public async Task<SceneRendered> RenderAsync(GpuAssignment a, CancellationToken ct)
    {
        var order = a.Work.Render;
        var prefix = $"cache/visual/{CacheKeys.HashOf(a.Work.CacheKey)}";
        var tmp = Directory.CreateTempSubdirectory("viraloop-visual-").FullName;
        try
        {
            string backend = order.Backend, clipKey = "";
            string? note = null;
            if (backend != VisualBackendCatalog.Procedural)
            {
                try
                {
                    clipKey = await RemoteAsync(order, prefix, a.Lease.Token, tmp, ct);
                    (clipKey, note) = await ScreenedAsync(order, clipKey, prefix, a.Lease.Token, tmp, ct);
                    if (clipKey.Length == 0) backend = VisualBackendCatalog.Procedural;
                }
                catch (VisualBackendException e) when (!ct.IsCancellationRequested)
                {
                    note = $"{backend} could not make scene {order.SceneIndex + 1} ({e.Message}); the procedural renderer drew it";
                    log.LogWarning("{Note}", note);
                    backend = VisualBackendCatalog.Procedural;
                    clipKey = "";
                }
            }
            var clipPath = clipKey.Length > 0 ? await services.PathOfAsync(clipKey, ct) : null;
            var preview = Path.Combine(tmp, "preview.jpg");
            var made = await new SceneVisualStep().RunAsync(
                new SceneVisualSpec(order.SceneIndex, order.Scene, order.VideoPalette, order.VideoSeed, order.Settings, clipPath, preview), ct);
            var previewBlob = await services.Blobs.PutFileAsync($"{prefix}/t{a.Lease.Token}/preview.jpg", preview, ct);
            return new SceneRendered(a.Work.CacheKey, made.Visual with { ClipPath = clipKey.Length > 0 ? clipKey : null }, previewBlob.Key,
                backend, note, a.Lease.WorkerId, a.Lease.Token);
        }
        finally
        {
            try { Directory.Delete(tmp, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>
    /// Image moderation of the backend's clip before it enters a video. Flagged: asked once more with a safer prompt
    /// (a task of its own, resumable like the first); flagged again: no clip (the procedural renderer draws the scene
    /// from the checked text). Returns the clip to use ("" for none) and the note the manifest keeps.
    /// </summary>
    private async Task<(string ClipKey, string? Note)> ScreenedAsync(RenderScene order, string clipKey, string prefix, long token, string tmp, CancellationToken ct)
    {
        var scene = $"scene {order.SceneIndex + 1}";
        // Images are judged at the standard level for every tenant: a clip in the shared cache may serve several.
        var policy = ModerationPolicy.Default;
        var first = await ClipScreening.ScreenAsync(services.Moderation, await services.PathOfAsync(clipKey, ct), $"{scene} {order.Backend} clip", policy, Path.Combine(tmp, "screen"), ct);
        if (!first.Checked && first.Notes.Count == 0)
            return (clipKey, $"{scene}: the {order.Backend} clip was not checked by image moderation (no image moderation endpoint is configured)");
        if (first.Passed)
            return (clipKey, first.Notes.Count > 0 ? $"{scene}: {string.Join("; ", first.Notes)}" : null);

        var why = $"{ModerationCategories.Name(first.Flagged!.Category)}, {first.Flagged.Reason}";
        log.LogWarning("Image moderation flagged the {Backend} clip of {Scene} ({Why}); asking again with a safer prompt", order.Backend, scene, why);
        var safer = order with { Job = order.Job with { Safer = true, SceneId = order.Job.SceneId + "-safer" } };
        var again = await RemoteAsync(safer, $"{prefix}/safer", token, tmp, ct);
        var second = await ClipScreening.ScreenAsync(services.Moderation, await services.PathOfAsync(again, ct), $"{scene} {order.Backend} clip (safer prompt)", policy, Path.Combine(tmp, "screen2"), ct);
        if (second.Passed)
            return (again, $"{scene}: image moderation flagged the {order.Backend} clip ({why}); made again with a safer prompt, which passed");
        var note = $"{scene}: image moderation flagged the {order.Backend} clip ({why}) and again with a safer prompt " +
            $"({ModerationCategories.Name(second.Flagged!.Category)}, {second.Flagged.Reason}); the procedural renderer drew it from the checked text";
        log.LogWarning("{Note}", note);
        return ("", note);
    }

    private async Task<string> RemoteAsync(RenderScene order, string prefix, long token, string tmp, CancellationToken ct)
    {
        var vendor = services.Visuals.Create(order.Backend)!;
        var handleKey = $"{prefix}/handle.json";
        VisualTaskHandle handle;
        if (await services.Blobs.GetAsync(handleKey, ct) is { } stored)
        {
            await using var s = await services.Blobs.OpenReadAsync(stored, ct);
            handle = await JsonSerializer.DeserializeAsync<VisualTaskHandle>(s, HandleJson, ct)
                ?? throw new InvalidDataException($"The stored task handle {handleKey} is empty.");
            log.LogInformation("Resuming {Backend} task {Task} for {Prefix}", handle.Backend, handle.TaskId, prefix);
        }
        else
        {
            var work = services.Blobs.LocalDirectory($"{prefix}/vendor");
            handle = await VendorAsync(() => vendor.CreateAsync(order.Job, work, ct), creating: true, ct);
            using var json = new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(handle, HandleJson));
            await services.Blobs.PutAsync(handleKey, json, ct);
        }

        var poll = TimeSpan.FromMilliseconds(500);
        VisualTaskState state;
        while (true)
        {
            state = await VendorAsync(() => vendor.PollAsync(handle, ct), creating: false, ct);
            if (state.IsTerminal) break;
            await Task.Delay(poll, ct);
            poll = TimeSpan.FromMilliseconds(Math.Min(5000, poll.TotalMilliseconds * 1.5));
        }
        if (state.Status == VisualTaskStatus.Failed)
            throw new VisualBackendRejectedException(order.Backend, $"the task failed: {state.FailureReason ?? state.VendorStatus}", 200, state.FailureCode, isContentPolicy: false);
        var clip = await VendorAsync(() => vendor.DownloadAsync(handle, state, tmp, ct), creating: false, ct);
        var blob = await services.Blobs.PutFileAsync($"{prefix}/t{token}/clip.mp4", clip.Path, ct);
        return blob.Key;
    }

    /// <summary>The vendor's retryable answers are retried after its Retry-After (capped); a create whose outcome is unknown never is.</summary>
    private static async Task<T> VendorAsync<T>(Func<Task<T>> call, bool creating, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (VisualBackendUnavailableException e) when (creating && e.OutcomeUnknown)
            {
                throw;
            }
            catch (VisualBackendException e) when (e.IsRetryable && attempt <= VendorRetries)
            {
                var wait = e switch
                {
                    VisualBackendRateLimitedException r => r.RetryAfter,
                    VisualBackendUnavailableException u => u.RetryAfter,
                    _ => null,
                } ?? TimeSpan.FromSeconds(Math.Pow(2, attempt - 1));
                await Task.Delay(wait < MaxVendorWait ? wait : MaxVendorWait, ct);
            }
        }
    }
}
