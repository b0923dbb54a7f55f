using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using ViraLoop.Media;
using Xunit;

namespace ViraLoop.Api.Tests;

/// <summary>
/// A real job through the API (5 s preview, embedded silo): submit with approval, the live feed over SSE and the hub,
/// approve an edited script, downloads with ranges, and another tenant seeing none of it on any endpoint.
/// </summary>
public sealed class VideoFlowTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private static StringContent Json(object body) => JsonContent.Create(body) is var c ? new StringContent(c.ReadAsStringAsync().Result, System.Text.Encoding.UTF8, "application/json") : null!;

    [Fact]
    public async Task ApprovedJob_StreamsInOrder_DownloadsWithRanges_AndIsInvisibleToAnotherTenant()
    {
        var (acme, acmeKey) = await api.TenantAsync("acme");
        var (globex, globexKey) = await api.TenantAsync("globex");

        var submit = await acme.PostAsync("/v1/videos", Json(new { topic = "Why the sea is salty", durationSeconds = 5, preview = true, seed = 7, requireApproval = true }));
        Assert.Equal(HttpStatusCode.Accepted, submit.StatusCode);
        var created = await submit.Content.ReadFromJsonAsync<JsonElement>();
        var id = created.GetProperty("id").GetString()!;
        Assert.Equal($"/v1/videos/{id}", submit.Headers.Location?.ToString());
        Assert.Equal($"/v1/videos/{id}/events", created.GetProperty("links").GetProperty("events").GetString());

        // SSE until the script waits for approval.
        var first = await Sse.ReadAllAsync(acme, $"/v1/videos/{id}/events", TimeSpan.FromSeconds(120),
            e => e.Type == "progress" && e.Data.GetProperty("status").GetString() == "awaiting-approval"
                 || e.Type == "snapshot" && e.Data.GetProperty("status").GetString() == "awaiting-approval");
        Assert.Equal("snapshot", first[0].Type);
        var script = await acme.GetFromJsonAsync<JsonElement>($"/v1/videos/{id}/script");
        var scenes = script.GetProperty("scenes").EnumerateArray().ToList();
        Assert.NotEmpty(scenes);

        // Another tenant: the same answer as for a job that does not exist, everywhere.
        foreach (var sub in new[] { "", "/script", "/video.mp4", "/thumbnail.jpg", "/hls/index.m3u8", "/events", "/trace" })
            await Problem.AssertAsync(await globex.GetAsync($"/v1/videos/{id}{sub}"), HttpStatusCode.NotFound, "not-found");
        await Problem.AssertAsync(await globex.PostAsync($"/v1/videos/{id}/approve", Json(new { })), HttpStatusCode.NotFound, "not-found");
        foreach (var action in new[] { "reject", "cancel" })
            await Problem.AssertAsync(await globex.PostAsync($"/v1/videos/{id}/{action}", Json(new { reason = "mine now" })), HttpStatusCode.NotFound, "not-found");
        Assert.Equal(0, (await globex.GetFromJsonAsync<JsonElement>("/v1/videos")).GetProperty("total").GetInt32());
        await using (var hub = await HubAsync(globexKey))
        {
            var e = await Assert.ThrowsAsync<HubException>(async () => { await foreach (var _ in hub.StreamAsync<JsonElement>("Watch", id, null)) { } });
            Assert.Contains("no such video", e.Message);
        }

        // Approve with an edited first scene; the hub then streams the rest, in order, to completion.
        var edited = scenes.Select((s, i) => new { narration = i == 0 ? "Sea water is salty because rivers carry salt." : s.GetProperty("narration").GetString() }).ToList();
        var approved = await acme.PostAsync($"/v1/videos/{id}/approve", Json(new { scenes = edited }));
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        Assert.Equal("Sea water is salty because rivers carry salt.", (await acme.GetFromJsonAsync<JsonElement>($"/v1/videos/{id}/script")).GetProperty("scenes")[0].GetProperty("narration").GetString());
        await Problem.AssertAsync(await acme.PostAsync($"/v1/videos/{id}/approve", Json(new { })), HttpStatusCode.Conflict, "conflict");

        var hubEvents = new List<JsonElement>();
        await using (var hub = await HubAsync(acmeKey))
        {
            await foreach (var e in hub.StreamAsync<JsonElement>("Watch", id, null).WithCancellation(new CancellationTokenSource(TimeSpan.FromSeconds(180)).Token))
                hubEvents.Add(e);
        }
        Assert.Equal("snapshot", hubEvents[0].GetProperty("type").GetString());
        var progress = hubEvents.Skip(1).Select(e => e.GetProperty("progress")).ToList();
        var sequences = progress.Select(p => p.GetProperty("sequence").GetInt64()).ToList();
        Assert.Equal(sequences.OrderBy(s => s).Distinct(), sequences);
        var last = hubEvents[^1];
        var finalStatus = last.GetProperty("type").GetString() == "snapshot" ? last.GetProperty("snapshot").GetProperty("status").GetString() : last.GetProperty("progress").GetProperty("status").GetString();
        Assert.Equal("completed", finalStatus);
        var percents = progress.Select(p => p.GetProperty("percent").GetDouble()).ToList();
        Assert.True(percents.Zip(percents.Skip(1)).All(p => p.Second >= p.First), "percent never goes back: " + string.Join(",", percents));

        // A subscriber that reconnects after a middle event gets exactly the events after it, in order.
        if (sequences.Count > 2)
        {
            var middle = sequences[sequences.Count / 2];
            var resumed = await Sse.ReadAllAsync(acme, $"/v1/videos/{id}/events?after={middle}", TimeSpan.FromSeconds(30));
            Assert.Equal("snapshot", resumed[0].Type);
            Assert.Equal(sequences.Where(s => s > middle), resumed.Skip(1).Select(e => e.Id));
        }

        // The video: whole, then a range.
        var view = await acme.GetFromJsonAsync<JsonElement>($"/v1/videos/{id}");
        Assert.Equal("completed", view.GetProperty("status").GetString());
        Assert.Equal(100, view.GetProperty("percent").GetDouble());
        var mp4 = await acme.GetByteArrayAsync($"/v1/videos/{id}/video.mp4");
        var path = Path.Combine(Directory.CreateTempSubdirectory("vl-api-dl-").FullName, "video.mp4");
        await File.WriteAllBytesAsync(path, mp4);
        var probe = await Tools.RunAsync(Tools.Ffprobe, ["-v", "error", "-show_entries", "format=duration:stream=codec_type,width,height", "-of", "json", path]);
        using var probed = JsonDocument.Parse(probe.StdOut);
        var duration = double.Parse(probed.RootElement.GetProperty("format").GetProperty("duration").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(duration, 4.5, 6.5);
        var video = probed.RootElement.GetProperty("streams").EnumerateArray().Single(s => s.GetProperty("codec_type").GetString() == "video");
        Assert.Equal((540, 960), (video.GetProperty("width").GetInt32(), video.GetProperty("height").GetInt32()));
        Assert.Contains(probed.RootElement.GetProperty("streams").EnumerateArray(), s => s.GetProperty("codec_type").GetString() == "audio");

        using var range = new HttpRequestMessage(HttpMethod.Get, $"/v1/videos/{id}/video.mp4");
        range.Headers.Range = new RangeHeaderValue(100, 199);
        var partial = await acme.SendAsync(range);
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal($"bytes 100-199/{mp4.Length}", partial.Content.Headers.ContentRange?.ToString());
        Assert.Equal(mp4[100..200], await partial.Content.ReadAsByteArrayAsync());
        using var beyond = new HttpRequestMessage(HttpMethod.Get, $"/v1/videos/{id}/video.mp4");
        beyond.Headers.Range = new RangeHeaderValue(mp4.Length + 10, mp4.Length + 20);
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, (await acme.SendAsync(beyond)).StatusCode);

        // Thumbnail, captions, HLS (playlist and each file it names), a scene preview.
        var jpeg = await acme.GetByteArrayAsync($"/v1/videos/{id}/thumbnail.jpg");
        Assert.Equal(new byte[] { 0xFF, 0xD8 }, jpeg[..2]);
        Assert.Contains("Dialogue:", await acme.GetStringAsync($"/v1/videos/{id}/captions.ass"));
        var playlist = await acme.GetStringAsync($"/v1/videos/{id}/hls/index.m3u8");
        var files = ViraLoop.Media.Pipeline.Steps.HlsStep.PlaylistFiles(playlist).ToList();
        Assert.NotEmpty(files);
        foreach (var file in files) Assert.Equal(HttpStatusCode.OK, (await acme.GetAsync($"/v1/videos/{id}/hls/{file}")).StatusCode);
        // Provenance: the job grain signed the MP4 (C2PA); HLS names the manifest store beside it, served as application/c2pa.
        var c2pa = ViraLoop.Media.Provenance.C2paReader.TryRead(path);
        Assert.NotNull(c2pa);
        Assert.True(c2pa.Valid, $"The delivered MP4's C2PA manifest: {c2pa}");
        Assert.Equal(ViraLoop.Media.Provenance.C2paAction.Created, c2pa.Actions[0]);
        // The job's view says the same: the manifest's label, signer, time and actions.
        var provenance = view.GetProperty("provenance");
        Assert.Equal(c2pa.ManifestLabel, provenance.GetProperty("manifestLabel").GetString());
        Assert.Equal(c2pa.Signer, provenance.GetProperty("signer").GetString());
        Assert.StartsWith("ViraLoop/", provenance.GetProperty("claimGenerator").GetString());
        Assert.Equal(c2pa.Actions, provenance.GetProperty("actions").EnumerateArray().Select(a => a.GetString()!).ToList());
        Assert.Equal(c2pa.SigningTime, provenance.GetProperty("signedAt").GetDateTimeOffset());
        // Every frame carries the job's watermark payload (the job grain's path, read back from the delivered file).
        var mark = await ViraLoop.Media.Watermark.WatermarkDetector.DetectAsync(path, ViraLoop.Media.Watermark.WatermarkKey.Configured());
        Assert.True(mark.Found, mark.Describe());
        Assert.Equal(ViraLoop.Media.Watermark.WatermarkPayload.ForJob("acme", id), mark.Payload);
        var master = await acme.GetStringAsync($"/v1/videos/{id}/hls/master.m3u8");
        Assert.Contains("#EXT-X-SESSION-DATA:DATA-ID=\"org.c2pa.manifest\",URI=\"provenance.c2pa\"", master);
        var sidecar = await acme.GetAsync($"/v1/videos/{id}/hls/provenance.c2pa");
        Assert.Equal(HttpStatusCode.OK, sidecar.StatusCode);
        Assert.Equal("application/c2pa", sidecar.Content.Headers.ContentType?.MediaType);
        Assert.Equal(ViraLoop.Media.Provenance.C2paReader.TryReadManifestStore(path), await sidecar.Content.ReadAsByteArrayAsync());
        await Problem.AssertAsync(await acme.GetAsync($"/v1/videos/{id}/hls/..%2F..%2Fvideo.mp4"), HttpStatusCode.NotFound);
        await Problem.AssertAsync(await acme.GetAsync($"/v1/videos/{id}/hls/secret.txt"), HttpStatusCode.NotFound);
        var preview = view.GetProperty("scenes")[0].GetProperty("preview").GetString()!;
        Assert.Equal(new byte[] { 0xFF, 0xD8 }, (await acme.GetByteArrayAsync(preview))[..2]);

        // The job's trace for its tenant: the steps, every scene's voice and visual, and the approval wait, under one trace id.
        var trace = await acme.GetFromJsonAsync<JsonElement>($"/v1/videos/{id}/trace");
        var spans = trace.GetProperty("spans").EnumerateArray().ToList();
        var traceId = trace.GetProperty("traceId").GetString();
        Assert.Matches("^[0-9a-f]{32}$", traceId);
        Assert.All(spans, s => Assert.Equal(traceId, s.GetProperty("traceId").GetString()));
        var names = spans.Select(s => s.GetProperty("name").GetString()).ToList();
        foreach (var n in new[] { "job.script", "job.awaiting-approval", "job.render", "job.package" }) Assert.Single(names, n);
        // Every scene voiced (again, faster, when the narration was too long for the length asked for).
        Assert.Equal(scenes.Count, spans.Where(s => s.GetProperty("name").GetString() == "scene.voice").Select(s => s.GetProperty("detail").GetString()).Distinct().Count());
        Assert.Equal(scenes.Count, names.Count(n => n == "scene.visual"));
        Assert.Equal("approved with edits", spans.Single(s => s.GetProperty("name").GetString() == "job.awaiting-approval").GetProperty("detail").GetString());
        Assert.Equal(spans.Select(s => s.GetProperty("start").GetDateTimeOffset()).Order(), spans.Select(s => s.GetProperty("start").GetDateTimeOffset()));

        // The cluster pages' data: admin only; this job counted; in embedded mode no broker queues.
        Assert.Equal(HttpStatusCode.Forbidden, (await acme.GetAsync("/v1/admin/ops/jobs")).StatusCode);
        using (var admin = api.Admin())
        {
            var jobs = await admin.GetFromJsonAsync<JsonElement>("/v1/admin/ops/jobs");
            var tenant = jobs.GetProperty("tenants").EnumerateArray().Single(t => t.GetProperty("tenantId").GetString() == "acme");
            Assert.True(tenant.GetProperty("completed").GetInt64() >= 1);
            Assert.Contains(jobs.GetProperty("recent").EnumerateArray(), c => c.GetProperty("jobKey").GetString() == $"acme/{id}");
            Assert.Equal("memory", (await admin.GetFromJsonAsync<JsonElement>("/v1/admin/ops/streams")).GetProperty("provider").GetString());
            Assert.Equal(spans.Count, (await admin.GetFromJsonAsync<JsonElement>($"/v1/admin/ops/jobs/acme/{id}/trace")).GetProperty("spans").GetArrayLength());
            await Problem.AssertAsync(await admin.GetAsync($"/v1/admin/ops/jobs/globex/{id}/trace"), HttpStatusCode.NotFound, "not-found");
        }

        // ViraLoop's meters beside Orleans' in the Prometheus text.
        using (var anonymous = api.CreateClient())
        {
            var metrics = await anonymous.GetStringAsync("/metrics");
            Assert.Matches(@"viraloop_jobs_finished_total\{[^}]*status=""completed""[^}]*tenant=""acme""[^}]*\} [1-9]", metrics);
            Assert.Matches(@"viraloop_scenes_rendered_total\{[^}]*backend=""procedural""[^}]*\} [1-9]", metrics);
            Assert.Contains("viraloop_gpu_queue_wait_seconds_bucket", metrics);
            Assert.Contains("viraloop_gpu_slots ", metrics.Replace("{", " "));
            Assert.Contains("orleans_", metrics);
        }

        // Listed for its tenant, filterable by status.
        var completed = await acme.GetFromJsonAsync<JsonElement>("/v1/videos?status=completed");
        Assert.Contains(completed.GetProperty("items").EnumerateArray(), v => v.GetProperty("id").GetString() == id);
        Assert.Empty((await acme.GetFromJsonAsync<JsonElement>("/v1/videos?status=failed")).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task IdempotencyKey_MakesOneVideo_AndRefusesAnotherBody()
    {
        var (http, _) = await api.TenantAsync("idem-co");
        var body = new { topic = "How bees talk by dancing", durationSeconds = 5, preview = true, requireApproval = true };
        HttpRequestMessage Post(object b) => new(HttpMethod.Post, "/v1/videos") { Content = Json(b), Headers = { { "Idempotency-Key", "order-42" } } };
        var one = await http.SendAsync(Post(body));
        var two = await http.SendAsync(Post(body));
        Assert.Equal(HttpStatusCode.Accepted, one.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, two.StatusCode);
        var (a, b) = ((await one.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString(), (await two.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString());
        Assert.Equal(a, b);
        Assert.True(two.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(1, (await http.GetFromJsonAsync<JsonElement>("/v1/videos")).GetProperty("total").GetInt32());
        await Problem.AssertAsync(await http.SendAsync(Post(body with { topic = "Something else" })), HttpStatusCode.UnprocessableEntity, "idempotency-key-reused");
        var cancelled = await http.PostAsync($"/v1/videos/{a}/cancel", Json(new { reason = "test over" }));
        Assert.Equal("cancelled", (await cancelled.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Quotas_Answer403NamingTheQuota_AndRateLimits429WithRetryAfter()
    {
        var (http, _) = await api.TenantAsync("small-co");
        using var admin = api.Admin();
        var plan = await admin.PutAsync("/v1/admin/tenants/small-co/plan", Json(new { name = "tiny", priorityCeiling = "standard", weight = 1, videosPerDay = 1, renderedSecondsPerMonth = 100, requestsPerMinute = 600 }));
        Assert.Equal(HttpStatusCode.OK, plan.StatusCode);
        var ok = await http.PostAsync("/v1/videos", Json(new { topic = "Why cats purr", durationSeconds = 5, preview = true, requireApproval = true }));
        Assert.Equal(HttpStatusCode.Accepted, ok.StatusCode);
        var day = await Problem.AssertAsync(await http.PostAsync("/v1/videos", Json(new { topic = "Why dogs bark", durationSeconds = 5, preview = true })), HttpStatusCode.Forbidden, "quota-exceeded");
        Assert.Equal("videos-per-day", day.GetProperty("quota").GetString());

        await admin.PutAsync("/v1/admin/tenants/small-co/plan", Json(new { name = "tiny", priorityCeiling = "standard", weight = 1, videosPerDay = 10, renderedSecondsPerMonth = 8, requestsPerMinute = 600 }));
        var month = await Problem.AssertAsync(await http.PostAsync("/v1/videos", Json(new { topic = "Why dogs bark", durationSeconds = 5, preview = true })), HttpStatusCode.Forbidden, "quota-exceeded");
        Assert.Equal("rendered-seconds-per-month", month.GetProperty("quota").GetString());
        var usage = await http.GetFromJsonAsync<JsonElement>("/v1/usage");
        Assert.Equal(1, usage.GetProperty("videosToday").GetInt32());

        await Problem.AssertAsync(await admin.PutAsync("/v1/admin/tenants/small-co/plan", Json(new { name = "x", priorityCeiling = "ultra" })), HttpStatusCode.BadRequest);
        await admin.PutAsync("/v1/admin/tenants/small-co/plan", Json(new { name = "tiny", priorityCeiling = "standard", weight = 1, videosPerDay = 10, renderedSecondsPerMonth = 100, requestsPerMinute = 3 }));
        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 5; i++) answers.Add(await http.GetAsync("/v1/videos"));
        Assert.Equal(3, answers.Count(a => a.StatusCode == HttpStatusCode.OK));
        var limited = answers.First(a => a.StatusCode == HttpStatusCode.TooManyRequests);
        await Problem.AssertAsync(limited, HttpStatusCode.TooManyRequests, "rate-limited");
        Assert.InRange(limited.Headers.RetryAfter?.Delta?.TotalSeconds ?? 0, 1, 21);
    }

    private async Task<HubConnection> HubAsync(string key)
    {
        var server = api.Server;
        var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(server.BaseAddress, "hubs/jobs"), o =>
            {
                o.HttpMessageHandlerFactory = _ => server.CreateHandler();
                o.Transports = HttpTransportType.LongPolling;
                o.AccessTokenProvider = () => Task.FromResult<string?>(key);
            })
            .Build();
        await hub.StartAsync();
        return hub;
    }
}
