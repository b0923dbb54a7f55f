using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using ViraLoop.Cluster.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace ViraLoop.Cluster.Tests;

/// <summary>
/// The cluster pages and the traces on a cluster of two silos and a GPU silo: a job submitted on one silo is watched
/// from the pages of another, in Debian's Chromium (silos, GPU workers, jobs moving, stream queues, the job's trace);
/// the trace the job keeps spans at least two silos (visuals on the GPU silo), and the same spans, with the same ids,
/// reach an OTLP collector from the silos that ran them.
/// </summary>
public sealed class OpsClusterTests(ITestOutputHelper output)
{
    private static readonly string Chromium = Environment.GetEnvironmentVariable("VIRALOOP_CHROMIUM") ?? "/usr/bin/chromium";

    private static string Artefacts => Directory.CreateDirectory(Environment.GetEnvironmentVariable("VIRALOOP_ARTIFACTS") is { Length: > 0 } a
        ? Path.Combine(a, "screenshots") : Path.Combine(AppContext.BaseDirectory, "screenshots")).FullName;

    [Fact]
    public async Task Dashboard_ShowsEverySiloAndAJobMoving_AndTheJobTraceCrossesSilos_InTheBrowserAndOverOtlp()
    {
        Assert.True(File.Exists(Chromium), $"Chromium is not at {Chromium}: run scripts/deps.sh (apt-get install chromium).");
        await using var otlp = new OtlpReceiver();
        await using var cluster = await ProcessCluster.CreateAsync();
        var env = new Dictionary<string, string> { ["ViraLoop__Otlp"] = otlp.Endpoint };
        var silo1 = await cluster.StartSiloAsync("silo-1", environment: env);
        var silo2 = await cluster.StartSiloAsync("silo-2", environment: env);
        await cluster.StartSiloAsync("gpu-1", gpu: true, environment: env);

        using var admin = new HttpClient { BaseAddress = new Uri(silo1.Http!) };
        admin.DefaultRequestHeaders.Add("X-Admin-Key", ProcessCluster.AdminKey);
        var key = (await (await admin.PostAsJsonAsync("/v1/admin/tenants/acme/keys", new { name = "ops" })).Content.ReadFromJsonAsync<JsonElement>())
            .GetProperty("secret").GetString()!;
        using var tenant = new HttpClient { BaseAddress = new Uri(silo1.Http!) };
        tenant.DefaultRequestHeaders.Add("X-Api-Key", key);
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, (await tenant.GetAsync("/v1/admin/ops/jobs")).StatusCode);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox"] });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
        var pageErrors = new List<string>();
        page.PageError += (_, e) => pageErrors.Add(e);
        page.Console += (_, m) => output.WriteLine($"console {m.Type}: {m.Text}");
        try
        {
            await WatchAsync(page, admin, tenant, cluster, otlp, silo2, pageErrors);
        }
        catch (Exception)
        {
            await page.ScreenshotAsync(new() { Path = Path.Combine(Artefacts, "ops-failure.png"), FullPage = true });
            output.WriteLine("page errors: " + string.Join("; ", pageErrors));
            output.WriteLine(await page.InnerTextAsync("body"));
            throw;
        }
    }

    private async Task WatchAsync(IPage page, HttpClient admin, HttpClient tenant, ProcessCluster cluster, OtlpReceiver otlp, SiloProcess silo2, List<string> pageErrors)
    {
        // The pages of another silo than the one the job is submitted to.
        await page.GotoAsync(silo2.Http!.TrimEnd('/') + "/ops/#silos");
        await page.WaitForSelectorAsync("#error:not([hidden]) >> text=admin key");
        await page.FillAsync("#adminKey", ProcessCluster.AdminKey);
        await page.DispatchEventAsync("#adminKey", "change");
        await page.WaitForFunctionAsync("document.querySelectorAll('#silosBody tr[data-silo]').length === 3");
        Assert.Equal(3, await page.Locator("#silosBody tr >> text=Active").CountAsync());
        await page.ScreenshotAsync(new() { Path = Path.Combine(Artefacts, "ops-1-silos.png"), FullPage = true });

        var submitted = await tenant.PostAsJsonAsync("/v1/videos", new { topic = "How glaciers carve valleys", durationSeconds = 8, preview = true, seed = 3 });
        Assert.Equal(System.Net.HttpStatusCode.Accepted, submitted.StatusCode);
        var id = (await submitted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        // The job moving: its row appears on the jobs page, in a state before the end.
        await page.GotoAsync(silo2.Http!.TrimEnd('/') + "/ops/#jobs");
        await page.WaitForSelectorAsync($"#recentBody tr[data-job='{id}']", new() { Timeout = 60_000 });
        await page.ScreenshotAsync(new() { Path = Path.Combine(Artefacts, "ops-2-jobs-moving.png"), FullPage = true });

        await page.GotoAsync(silo2.Http!.TrimEnd('/') + "/ops/#gpu");
        await page.WaitForSelectorAsync("#gpuBody tr[data-worker='gpu-1']");

        await Wait.UntilAsync(async () =>
        {
            var v = await tenant.GetFromJsonAsync<JsonElement>($"/v1/videos/{id}");
            var status = v.GetProperty("status").GetString();
            Assert.NotEqual("failed", status);
            return status == "completed";
        }, "the job to complete", TimeSpan.FromMilliseconds(500), 240);

        // GPU page: the worker on the GPU silo rendered the job's scenes.
        var gpu = await admin.GetFromJsonAsync<JsonElement>("/v1/admin/ops/gpu");
        var worker = gpu.GetProperty("workers").EnumerateArray().Single();
        Assert.Equal("gpu-1", worker.GetProperty("silo").GetString());
        Assert.True(worker.GetProperty("completed").GetInt64() >= 1);
        Assert.Contains("procedural", worker.GetProperty("backends").EnumerateArray().Select(b => b.GetString()));
        await page.WaitForFunctionAsync("[...document.querySelectorAll('#gpuBody tr[data-worker] td.num')].some(td => Number(td.textContent) >= 1)");
        await page.ScreenshotAsync(new() { Path = Path.Combine(Artefacts, "ops-3-gpu.png"), FullPage = true });

        // Jobs page: the job completed, counted for its tenant.
        var jobs = await admin.GetFromJsonAsync<JsonElement>("/v1/admin/ops/jobs");
        var acme = jobs.GetProperty("tenants").EnumerateArray().Single(t => t.GetProperty("tenantId").GetString() == "acme");
        Assert.Equal(1, acme.GetProperty("submitted").GetInt64());
        Assert.Equal(1, acme.GetProperty("completed").GetInt64());
        await page.GotoAsync(silo2.Http!.TrimEnd('/') + "/ops/#jobs");
        await page.WaitForSelectorAsync($"#recentBody tr[data-job='{id}'] .badge[data-state='completed']");
        await page.ScreenshotAsync(new() { Path = Path.Combine(Artefacts, "ops-4-jobs-done.png"), FullPage = true });

        // Stream queues: every queue of this cluster, read from RabbitMQ's management API, each with a consumer.
        var streams = await admin.GetFromJsonAsync<JsonElement>("/v1/admin/ops/streams");
        Assert.True(streams.GetProperty("error").ValueKind == JsonValueKind.Null, streams.GetProperty("error").ToString());
        var all = streams.GetProperty("queues").EnumerateArray().ToList();
        var queues = all.Where(q => !q.GetProperty("parking").GetBoolean()).ToList();
        Assert.Equal(cluster.Options.StreamQueues, queues.Count);
        Assert.All(all.Where(q => q.GetProperty("parking").GetBoolean()), q => Assert.Equal(0, q.GetProperty("messages").GetInt64()));
        Assert.All(queues, q => Assert.StartsWith(cluster.ClusterId, q.GetProperty("name").GetString()));
        Assert.All(queues, q => Assert.True(q.GetProperty("consumers").GetInt32() >= 1, $"{q.GetProperty("name")} has a consumer"));
        await page.GotoAsync(silo2.Http!.TrimEnd('/') + "/ops/#streams");
        await page.WaitForFunctionAsync($"document.querySelectorAll('#streamsBody tr[data-queue]').length === {cluster.Options.StreamQueues}");
        await page.ScreenshotAsync(new() { Path = Path.Combine(Artefacts, "ops-5-streams.png"), FullPage = true });

        // The job's trace: every step, voice and visual, under one trace id, on at least two silos, visuals on the GPU silo.
        var trace = await admin.GetFromJsonAsync<JsonElement>($"/v1/admin/ops/jobs/acme/{id}/trace");
        var traceId = trace.GetProperty("traceId").GetString()!;
        var spans = trace.GetProperty("spans").EnumerateArray().ToList();
        foreach (var s in spans) output.WriteLine($"{s.GetProperty("name")} {s.GetProperty("silo")} {s.GetProperty("seconds")} {s.GetProperty("status")}");
        Assert.Matches("^[0-9a-f]{32}$", traceId);
        var names = spans.Select(s => s.GetProperty("name").GetString()).ToList();
        foreach (var step in new[] { "job.script", "job.render", "job.package", "scene.voice", "scene.visual" }) Assert.Contains(step, names);
        Assert.All(spans, s => Assert.Equal(traceId, s.GetProperty("traceId").GetString()));
        Assert.All(spans.Where(s => s.GetProperty("name").GetString() == "scene.visual"), s => Assert.Equal("gpu-1", s.GetProperty("silo").GetString()));
        Assert.True(spans.Select(s => s.GetProperty("silo").GetString()).Distinct().Count() >= 2, "the trace crosses silos");
        Assert.Equal(names.Count(n => n == "scene.voice"), names.Count(n => n == "scene.visual"));

        await page.GotoAsync(silo2.Http!.TrimEnd('/') + $"/ops/#trace/acme/{id}");
        await page.WaitForSelectorAsync(".gantt .span[data-silo='gpu-1']");
        Assert.Equal(spans.Count, await page.Locator(".gantt .span").CountAsync());
        await page.ScreenshotAsync(new() { Path = Path.Combine(Artefacts, "ops-6-trace.png"), FullPage = true });
        Assert.Empty(pageErrors);

        // The same spans, same ids, exported over OTLP by the silos that ran them (batches leave every few seconds).
        var wanted = spans.Select(s => s.GetProperty("spanId").GetString()!).ToHashSet();
        await Wait.UntilAsync(() => Task.FromResult(wanted.IsSubsetOf(otlp.Spans.Where(s => s.TraceId == traceId).Select(s => s.SpanId))),
            "the job's spans at the collector", TimeSpan.FromMilliseconds(500), 60);
        var exported = otlp.Spans.Where(s => s.TraceId == traceId).ToList();
        Assert.All(exported.Where(s => s.Name == "scene.visual"), s => Assert.Equal("gpu-1", s.Instance));
        Assert.True(exported.Select(s => s.Instance).Distinct().Count() >= 2, "spans of the trace came from more than one silo");
        Assert.Contains(exported, s => s.Name == "video.submit");
    }
}
