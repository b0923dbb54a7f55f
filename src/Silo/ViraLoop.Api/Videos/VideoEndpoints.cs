using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using ViraLoop.Api.Auth;
using ViraLoop.Contracts;
using ViraLoop.Api.Live;
using ViraLoop.Grains;
using ViraLoop.Grains.Messages;
using ViraLoop.Hosting;
using ViraLoop.Media;
using ViraLoop.Media.Pipeline.Steps;
using ViraLoop.Media.Storage;

namespace ViraLoop.Api.Videos;

/// <summary><c>/v1/videos</c>: submit, read, list, approve, reject, cancel, downloads, similar videos (DNA) and the live feed, for the caller's tenant only.</summary>
public static class VideoEndpoints
{
    public static RouteGroupBuilder MapVideoEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/v1").RequireAuthorization(Principals.TenantPolicy).AddEndpointFilter(RateLimitAsync).WithTags("videos");

        g.MapPost("/videos", SubmitAsync).WithName("SubmitVideo")
            .Accepts<CreateVideoBody>("application/json").Produces<VideoView>(StatusCodes.Status202Accepted).ProducesProblem(400).ProducesProblem(403).ProducesProblem(409).ProducesProblem(429);
        g.MapGet("/videos", ListAsync).WithName("ListVideos").Produces<VideoPage>();
        g.MapGet("/videos/{id}", async (string id, HttpContext http, IGrainFactory grains) =>
            await WithJob(http, id, async job => Results.Ok(Views.Of(await job.GetSnapshot())))).WithName("GetVideo").Produces<VideoView>().ProducesProblem(404);
        g.MapGet("/videos/{id}/script", async (string id, HttpContext http) =>
            await WithJob(http, id, async job => await job.GetSnapshot() is not null && await job.GetScript() is { } script ? Results.Ok(script)
                : Problems.Conflict("The script is not written yet."))).WithName("GetScript").Produces<Script>().ProducesProblem(404);
        g.MapPost("/videos/{id}/approve", ApproveAsync).WithName("ApproveVideo").Accepts<ApproveBody>("application/json").Produces<VideoView>();
        g.MapPost("/videos/{id}/reject", async (string id, HttpContext http) =>
        {
            var (body, error, status) = await BodyReader.ReadAsync<ReasonBody>(http.Request);
            if (body is null) return Problems.Body(status, error!);
            var errors = new List<string>();
            var reason = VideoValidation.Text(body.Reason, "reason", 1, 1000, errors, required: true, multiline: true);
            if (errors.Count > 0) return Problems.BadRequest(string.Join(" ", errors));
            return await WithJob(http, id, async job => Results.Ok(Views.Of(await job.Reject(reason!))));
        }).WithName("RejectVideo").Accepts<ReasonBody>("application/json").Produces<VideoView>();
        g.MapPost("/videos/{id}/cancel", async (string id, HttpContext http) =>
        {
            var (body, error, status) = await BodyReader.ReadAsync<ReasonBody>(http.Request, optional: true);
            if (error is not null) return Problems.Body(status, error);
            var errors = new List<string>();
            var reason = VideoValidation.Text(body?.Reason, "reason", 1, 1000, errors, required: false, multiline: true);
            if (errors.Count > 0) return Problems.BadRequest(string.Join(" ", errors));
            return await WithJob(http, id, async job => Results.Ok(Views.Of(await job.Cancel(reason))));
        }).WithName("CancelVideo").Produces<VideoView>();

        g.MapGet("/videos/{id}/video.mp4", (string id, HttpContext http) => FileAsync(http, id, s => Key(s, "video"), "video/mp4")).WithName("GetVideoFile");
        g.MapGet("/videos/{id}/thumbnail.jpg", (string id, HttpContext http) => FileAsync(http, id, s => Key(s, "thumbnail"), "image/jpeg")).WithName("GetThumbnail");
        g.MapGet("/videos/{id}/captions.ass", (string id, HttpContext http) => FileAsync(http, id, s => Key(s, "captions"), "text/x-ssa; charset=utf-8")).WithName("GetCaptions");
        g.MapGet("/videos/{id}/manifest.json", (string id, HttpContext http) => FileAsync(http, id, s => Key(s, "manifest"), "application/json")).WithName("GetManifest");
        g.MapGet("/videos/{id}/scenes/{index:int}/preview.jpg", (string id, int index, HttpContext http) =>
            FileAsync(http, id, s => Task.FromResult(s.Scenes.FirstOrDefault(x => x.Index == index)?.PreviewKey), "image/jpeg")).WithName("GetScenePreview");
        g.MapGet("/videos/{id}/hls/{file}", (string id, string file, HttpContext http) => FileAsync(http, id, s => HlsKey(http, s, file), HlsType(file))).WithName("GetHls");
        g.MapGet("/videos/{id}/trace", async (string id, HttpContext http) =>
            await WithJob(http, id, async job => Results.Ok(await job.GetTrace()))).WithName("GetVideoTrace").Produces<JobTrace>().ProducesProblem(404);
        g.MapGet("/videos/{id}/similar", SimilarAsync).WithName("GetSimilarVideos").Produces<SimilarVideosView>().ProducesProblem(400).ProducesProblem(404).ProducesProblem(409);
        g.MapGet("/videos/{id}/events", ServerSentEventsAsync).WithName("VideoEvents").Produces(200, contentType: "text/event-stream");
        g.MapGet("/usage", async (HttpContext http, IGrainFactory grains) => Results.Ok(await grains.GetGrain<ITenantGrain>(http.User.Tenant()).GetUsage())).WithName("GetUsage");
        return g;
    }

    private static async ValueTask<object?> RateLimitAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var limits = http.RequestServices.GetRequiredService<RateLimits>();
        if (await limits.TryAcquireAsync(http.User.Tenant()) is { } wait)
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
            http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Problems.Of(StatusCodes.Status429TooManyRequests, "rate-limited", "Too many requests.",
                $"Your plan allows {(await limits.PlanAsync(http.User.Tenant())).RequestsPerMinute} requests a minute; try again in {seconds} s.");
        }
        return await next(context);
    }

    private static async Task<IResult> SubmitAsync(HttpContext http, IGrainFactory grains)
    {
        var tenant = http.User.Tenant();
        string? idempotencyKey = null;
        if (http.Request.Headers.TryGetValue("Idempotency-Key", out var keyHeader))
        {
            idempotencyKey = keyHeader.ToString();
            if (idempotencyKey.Length is 0 or > 128 || idempotencyKey.Any(c => c is < '!' or > '~'))
                return Problems.BadRequest("Idempotency-Key: 1–128 printable ASCII characters without spaces.");
        }
        var (body, error, status) = await BodyReader.ReadAsync<CreateVideoBody>(http.Request);
        if (body is null) return Problems.Of(status, status == 400 ? "invalid-request" : "unsupported-body", "The request is not valid.", error!);
        var (order, errors) = VideoValidation.ToOrder(body);
        if (order is null) return Problems.BadRequest(string.Join(" ", errors), new Dictionary<string, object?> { ["errors"] = errors });

        var videoId = VideoIds.New();
        if (body.Experiment is { } experiment)
        {
            if ((body.Hook ?? body.Pacing ?? body.Captions ?? body.Style ?? body.Palette ?? body.Music ?? body.Voice ?? body.Thumbnail ?? body.TitleTemplate) is not null
                || body.Genome is not null)
                return Problems.BadRequest("experiment: the experiment chooses the creative genes; leave out hook, pacing, captions, style, palette, music, voice, thumbnail, titleTemplate and genome.");
            // Keyed by the idempotency key when there is one: a retried request gets the same arm, so the same order.
            var assignment = await Experiments.ExperimentEndpoints.AllocateAsync(grains, tenant, experiment, idempotencyKey is null ? videoId : $"idempotency:{idempotencyKey}", videoId);
            if (assignment is null) return Problems.BadRequest($"experiment: there is no experiment '{experiment}'.");
            order = Experiments.ExperimentEndpoints.WithGenome(order, assignment);
        }

        Submission submitted;
        try
        {
            submitted = await JobAccess.SubmitAsync(grains, tenant, videoId, order, idempotencyKey);
        }
        catch (ArgumentException e)
        {
            return Problems.BadRequest(e.Message);
        }
        var admission = submitted.Admission;
        switch (admission.Outcome)
        {
            case AdmissionOutcome.KeyReused:
                return Problems.Of(StatusCodes.Status422UnprocessableEntity, "idempotency-key-reused", "The Idempotency-Key was used for another request.", admission.Message!);
            case AdmissionOutcome.QuotaExceeded:
                return Problems.Quota(admission.Quota!, admission.Message!);
        }
        var snapshot = submitted.Job!;
        var view = Views.Of(snapshot);
        if (snapshot.Status == JobStatus.Rejected && view.Rejection is { } r)
        {
            // The job is recorded (GET shows it rejected, with the same reasons); the request itself is a bad one.
            http.Response.Headers.Location = view.Links["self"];
            return Problems.Refused(r.Category, snapshot.Error ?? $"The content policy refuses this ({r.Category}).", new Dictionary<string, object?>
            {
                ["severity"] = r.Severity, ["field"] = r.Field, ["passage"] = r.Passage, ["source"] = r.Source, ["stage"] = r.Stage, ["jobId"] = snapshot.JobId,
            });
        }
        if (admission.Outcome == AdmissionOutcome.Replayed) http.Response.Headers["Idempotent-Replayed"] = "true";
        return Results.Accepted(view.Links["self"], view);
    }

    private static async Task<IResult> ListAsync(HttpContext http, IGrainFactory grains, string? status, int? limit, string? cursor)
    {
        var tenant = http.User.Tenant();
        var size = limit ?? 20;
        if (size is < 1 or > 100) return Problems.BadRequest("limit: between 1 and 100.");
        var offset = 0;
        if (cursor is not null && (!int.TryParse(cursor, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out offset) || offset < 0))
            return Problems.BadRequest("cursor: use the nextCursor of the previous page.");
        JobStatus? wanted = null;
        if (status is not null)
        {
            wanted = Enum.GetValues<JobStatus>().Cast<JobStatus?>().FirstOrDefault(s => s!.Value.Name() == status.Trim().ToLowerInvariant());
            if (wanted is null) return Problems.BadRequest($"status: one of {string.Join(", ", Enum.GetValues<JobStatus>().Select(s => s.Name()))}.");
        }
        var page = await JobAccess.ListAsync(grains, tenant, wanted, size, offset);
        return Results.Ok(new VideoPage(page.Jobs.Select(Views.Of).ToList(),
            page.NextOffset?.ToString(System.Globalization.CultureInfo.InvariantCulture), page.Total));
    }

    private static async Task<IResult> ApproveAsync(string id, HttpContext http)
    {
        var (body, error, status) = await BodyReader.ReadAsync<ApproveBody>(http.Request, optional: true);
        if (error is not null) return Problems.Body(status, error);
        return await WithJob(http, id, async job =>
        {
            Script? edited = null;
            if (body is not null && (body.Title is not null || body.Scenes is not null))
            {
                var original = await job.GetScript();
                if (original is null) return Problems.Conflict("The script is not written yet.");
                var errors = new List<string>();
                var title = VideoValidation.Text(body.Title, "title", 1, 200, errors, required: false, multiline: false);
                var scenes = original.Scenes.ToList();
                if (body.Scenes is { } given)
                {
                    if (given.Count != scenes.Count) errors.Add($"scenes: the script has {scenes.Count} scenes; send all of them, in order.");
                    else
                        for (var i = 0; i < given.Count; i++)
                        {
                            var narration = VideoValidation.Text(given[i]?.Narration, $"scenes[{i}].narration", 1, 1000, errors, required: true, multiline: true);
                            var keywords = given[i]?.Keywords?.Select((k, j) => VideoValidation.Text(k, $"scenes[{i}].keywords[{j}]", 1, 40, errors, true, false) ?? "").ToList();
                            scenes[i] = scenes[i] with { Narration = narration ?? scenes[i].Narration, Keywords = keywords ?? scenes[i].Keywords };
                        }
                }
                if (errors.Count > 0) return Problems.BadRequest(string.Join(" ", errors));
                edited = original with { Title = title ?? original.Title, Scenes = scenes };
            }
            return Results.Ok(Views.Of(await job.Approve(edited)));
        });
    }

    /// <summary>
    /// The caller's videos most like this one by their DNA (<c>?k=</c> 1–50, default 10), most similar first, with each
    /// block's similarity; 409 until the video is finished (its DNA is computed when it is packaged).
    /// </summary>
    private static async Task<IResult> SimilarAsync(string id, HttpContext http, IGrainFactory grains, string? k)
    {
        var count = DnaLimits.DefaultSimilar;
        if (k is not null && (!int.TryParse(k, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out count)
                              || count is < 1 or > DnaLimits.MaxSimilar))
            return Problems.BadRequest($"k: a whole number from 1 to {DnaLimits.MaxSimilar} (default {DnaLimits.DefaultSimilar}).");
        return await WithJob(http, id, async _ =>
            Results.Ok(new SimilarVideosView(id, count, (await JobAccess.SimilarAsync(grains, http.User.Tenant(), id, count)).Select(Views.Similar).ToList())));
    }

    /// <summary>Runs an action on the caller's job; a malformed id, another tenant's job and no job at all are the same 404.</summary>
    private static async Task<IResult> WithJob(HttpContext http, string id, Func<IVideoJobGrain, Task<IResult>> action)
    {
        if (!VideoIds.IsValid(id)) return Problems.NotFound();
        var grains = http.RequestServices.GetRequiredService<IGrainFactory>();
        try
        {
            return await action(grains.GetGrain<IVideoJobGrain>(JobKeys.Of(http.User.Tenant(), id)));
        }
        catch (KeyNotFoundException) { return Problems.NotFound(); }
        catch (ArgumentException e) when (RefusedCategory(e) is { } category)
        {
            return Problems.Refused(category, e.Message, new Dictionary<string, object?> { ["stage"] = "edit", ["jobId"] = id });
        }
        catch (ArgumentException e) { return Problems.BadRequest(e.Message); }
        catch (InvalidOperationException e) { return Problems.Conflict(e.Message); }
    }

    /// <summary>The category of an edit the content policy refused (named in the exception's data, or failing that in its message).</summary>
    private static string? RefusedCategory(ArgumentException e)
    {
        if (e.Data[JobRejection.CategoryDataKey] is string c) return c;
        var m = System.Text.RegularExpressions.Regex.Match(e.Message, @"^The content policy refuses this \(([a-z-]+)\)");
        return m.Success ? m.Groups[1].Value : null;
    }

    private static Task<string?> Key(JobSnapshot s, string output) => Task.FromResult(s.Outputs.TryGetValue(output, out var key) ? key : null);

    /// <summary>HLS files: the playlist, or a file the playlist names (nothing else, whatever the path says).</summary>
    private static async Task<string?> HlsKey(HttpContext http, JobSnapshot s, string file)
    {
        if (!s.Outputs.TryGetValue("hls", out var playlistKey)) return null;
        if (file == HlsStep.PlaylistFile) return playlistKey;
        if (file is HlsStep.MasterPlaylistFile or HlsStep.ProvenanceFile) return $"{playlistKey[..playlistKey.LastIndexOf('/')]}/{file}";
        var blobs = http.RequestServices.GetRequiredService<IBlobStore>();
        var playlist = await blobs.GetAsync(playlistKey, http.RequestAborted);
        if (playlist is null) return null;
        var text = await File.ReadAllTextAsync(blobs.LocalPath(playlist), http.RequestAborted);
        return HlsStep.PlaylistFiles(text).Contains(file, StringComparer.Ordinal) ? $"{playlistKey[..playlistKey.LastIndexOf('/')]}/{file}" : null;
    }

    private static string HlsType(string file) => file.EndsWith(".m3u8", StringComparison.Ordinal) ? "application/vnd.apple.mpegurl"
        : file.EndsWith(".m4s", StringComparison.Ordinal) ? "video/iso.segment"
        : file.EndsWith(".c2pa", StringComparison.Ordinal) ? "application/c2pa" : "video/mp4";

    /// <summary>A job's file from the blob store, with range requests (206, Content-Range) and ETag; 404 until it exists.</summary>
    private static async Task<IResult> FileAsync(HttpContext http, string id, Func<JobSnapshot, Task<string?>> key, string contentType) =>
        await WithJob(http, id, async job =>
        {
            var snapshot = await job.GetSnapshot();
            if (snapshot.Withheld is { } why)
                return Problems.Of(StatusCodes.Status451UnavailableForLegalReasons, "withheld", "The video was made but is not delivered.",
                    $"It failed a safety check: {why}.");
            var blobKey = await key(snapshot);
            if (blobKey is null) return Problems.Of(StatusCodes.Status404NotFound, "not-ready", "Not there yet.", "This file does not exist (yet) for this video.");
            var blobs = http.RequestServices.GetRequiredService<IBlobStore>();
            var blob = await blobs.GetAsync(blobKey, http.RequestAborted);
            if (blob is null) return Problems.Of(StatusCodes.Status404NotFound, "not-ready", "Not there yet.", "This file is missing from the store.");
            return Results.File(blobs.LocalPath(blob), contentType, enableRangeProcessing: true,
                entityTag: new Microsoft.Net.Http.Headers.EntityTagHeaderValue($"\"{blob.Sha256[..Math.Min(32, blob.Sha256.Length)]}\""));
        });

    /// <summary>
    /// The live feed as Server-Sent Events: <c>event: snapshot</c> then <c>event: progress</c>, each with <c>id:</c> its
    /// sequence, so a reconnecting EventSource (Last-Event-ID) gets what it missed. Ends after the final event.
    /// </summary>
    private static async Task ServerSentEventsAsync(string id, HttpContext http, JobEvents events, long? after)
    {
        if (!VideoIds.IsValid(id)) { await Problems.NotFound().ExecuteAsync(http); return; }
        var from = after ?? (long.TryParse(http.Request.Headers["Last-Event-ID"].ToString(), out var last) ? last : 0);
        await using var feed = events.WatchAsync(http.User.Tenant(), id, from, http.RequestAborted).GetAsyncEnumerator(http.RequestAborted);
        bool more;
        try { more = await feed.MoveNextAsync(); }
        catch (KeyNotFoundException) { await Problems.NotFound().ExecuteAsync(http); return; }
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        var json = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        try
        {
            while (more)
            {
                var e = feed.Current;
                object data = e.Type == "snapshot" ? e.Snapshot! : e.Progress!;
                await http.Response.WriteAsync($"id: {e.Sequence}\nevent: {e.Type}\ndata: {JsonSerializer.Serialize(data, json)}\n\n", http.RequestAborted);
                await http.Response.Body.FlushAsync(http.RequestAborted);
                more = await feed.MoveNextAsync();
            }
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested) { }
    }
}
