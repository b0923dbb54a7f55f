using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;
using Xunit;

namespace ViraLoop.Api.Tests;

/// <summary>
/// The dashboard's experiments page in Chromium at 1280×800: an experiment with videos allocated, engagement posted and a
/// generation bred shows as a card whose arm table, leader, retired arms and allocation chart match the API. The admin
/// sees every tenant's experiments (a name that is markup shows as text); a tenant's key cannot read them there.
/// </summary>
public sealed class OpsExperimentsBrowserTests(KestrelApiFactory api) : IClassFixture<KestrelApiFactory>
{
    private static readonly string Chromium = Environment.GetEnvironmentVariable("VIRALOOP_CHROMIUM") ?? "/usr/bin/chromium";

    /// <summary>The last screenshot of the page (a test artefact).</summary>
    public static string Screenshot => Path.Combine(Path.GetTempPath(), "viraloop-ops-experiments.png");

    private const string Hostile = "<img src=x onerror=alert(1)><script>alert(2)</script> other";

    private static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    [Fact]
    public async Task ExperimentsPage_ShowsArmsPosteriorsAndAllocationOverTime_AsTheApiHasThem()
    {
        Assert.True(File.Exists(Chromium), $"Chromium is not at {Chromium}: run scripts/deps.sh (apt-get install chromium).");
        var (http, _) = await api.TenantAsync("ops-exp");
        var (other, _) = await api.TenantAsync("ops-exp-other");
        Assert.Equal(HttpStatusCode.Created, (await http.PostAsync("/v1/experiments",
            Json(new { name = "Dashboard hooks", arms = 4, controlShare = 0.1, minExposures = 100, seed = 11 }))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await other.PostAsync("/v1/experiments", Json(new { id = "other-tenant", name = Hostile, arms = 2, seed = 3 }))).StatusCode);

        // Videos until every arm has one; engagement that makes one arm clearly best (a generation is bred); then more videos.
        var experiment = await http.GetFromJsonAsync<JsonElement>("/v1/experiments/dashboard-hooks");
        var videos = new List<(string Id, string Arm)>();
        for (var i = 0; i < 60 && experiment.GetProperty("arms").EnumerateArray().Any(a => !videos.Any(v => v.Arm == a.GetProperty("id").GetString())); i++)
            videos.Add(await SubmitAsync(http, $"Why bees dance, take {i}"));
        var best = videos.First(v => v.Arm != experiment.GetProperty("arms")[0].GetProperty("id").GetString()).Arm;
        var events = new List<object>();
        var at = DateTimeOffset.UtcNow.AddDays(-2);
        foreach (var (id, arm) in videos)
            for (var n = 0; n < 150; n++)
            {
                events.Add(new { id = $"{id}-imp-{n}", videoId = id, kind = "impression", at = at.AddMinutes(n) });
                if (n < (arm == best ? 45 : 3)) events.Add(new { id = $"{id}-click-{n}", videoId = id, kind = "click", at = at.AddMinutes(n).AddSeconds(5) });
            }
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/v1/metrics", Json(new { events }))).StatusCode);
        for (var i = 0; i < 12; i++) videos.Add(await SubmitAsync(http, $"Why cats purr, take {i}"));

        experiment = await http.GetFromJsonAsync<JsonElement>("/v1/experiments/dashboard-hooks");
        var arms = experiment.GetProperty("arms").EnumerateArray().ToList();
        var leader = experiment.GetProperty("leader").GetString()!;
        Assert.True(experiment.GetProperty("generation").GetInt32() >= 1, experiment.ToString());
        var retired = arms.Where(a => a.GetProperty("retiredAt").ValueKind == JsonValueKind.Number).Select(a => a.GetProperty("id").GetString()!).ToHashSet();
        Assert.NotEmpty(retired);
        var allocated = videos.GroupBy(v => v.Arm).ToDictionary(g => g.Key, g => g.Count());

        // The admin endpoints list every tenant's experiments; a tenant's key is refused there.
        Assert.Equal(HttpStatusCode.Forbidden, (await http.GetAsync("/v1/admin/ops/experiments")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await http.GetAsync("/v1/admin/ops/experiments/ops-exp-other/other-tenant")).StatusCode);
        using (var admin = api.Admin())
        {
            var listed = (await admin.GetFromJsonAsync<JsonElement>("/v1/admin/ops/experiments")).GetProperty("items").EnumerateArray()
                .Select(e => $"{e.GetProperty("tenant").GetString()}/{e.GetProperty("id").GetString()}").ToList();
            Assert.Contains("ops-exp/dashboard-hooks", listed);
            Assert.Contains("ops-exp-other/other-tenant", listed);
            Assert.Single((await admin.GetFromJsonAsync<JsonElement>("/v1/admin/ops/experiments?tenant=ops-exp-other")).GetProperty("items").EnumerateArray());
            await Problem.AssertAsync(await admin.GetAsync("/v1/admin/ops/experiments/ops-exp/other-tenant"), HttpStatusCode.NotFound, "not-found");
        }

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox"] });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 800 } });
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        page.Dialog += async (_, d) => { errors.Add("dialog: " + d.Message); await d.DismissAsync(); };
        page.Console += (_, m) => { if (m.Type == "error") errors.Add(m.Text); };

        await page.GotoAsync(api.BaseUrl + "/ops/#experiments");
        await page.FillAsync("#adminKey", ApiFactory.AdminKey);
        await page.DispatchEventAsync("#adminKey", "change");
        const string card = "article[data-experiment='ops-exp/dashboard-hooks']";
        await page.WaitForSelectorAsync($"{card} g[data-series]", new() { Timeout = 30_000 });
        // The other tenant's experiment has no engagement yet: no leader, no chart.
        const string otherCard = "article[data-experiment='ops-exp-other/other-tenant']";
        await page.WaitForSelectorAsync(otherCard);
        Assert.Equal(0, await page.Locator($"{otherCard} tr[data-leader]").CountAsync());
        Assert.Equal("none yet", await page.Locator($"{otherCard} [data-fact='leader'] dd").TextContentAsync());
        Assert.Equal(0, await page.Locator($"{otherCard} .alloc").CountAsync());
        Assert.Equal(Hostile, await page.Locator($"{otherCard} h2").TextContentAsync());
        Assert.Equal(0, await page.Locator("#expCards img, #expCards script").CountAsync());
        Assert.Equal("Dashboard hooks", await page.Locator($"{card} h2").TextContentAsync());

        // One row per arm (retired ones too, greyed), the control marked, the leader marked in its row and in the card's facts.
        var rows = page.Locator($"{card} table.arms tbody tr");
        Assert.Equal(arms.Count, await rows.CountAsync());
        Assert.Equal(arms.Select(a => a.GetProperty("id").GetString()), await rows.EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.arm)"));
        Assert.Equal([leader], await page.Locator($"{card} tr[data-leader]").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.arm)"));
        Assert.Equal("leader", (await page.Locator($"{card} tr[data-leader] .tag.leader").TextContentAsync())!.Trim());
        Assert.Equal(leader, await page.Locator($"{card} [data-fact='leader']").GetAttributeAsync("data-arm"));
        Assert.Equal(arms.Single(a => a.GetProperty("control").GetBoolean()).GetProperty("id").GetString(),
            await page.Locator($"{card} tr[data-control]").GetAttributeAsync("data-arm"));
        Assert.Equal(retired.Order(), (await page.Locator($"{card} tr.retired").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.arm)")).Order());
        Assert.Equal("0.4", await page.Locator($"{card} tr.retired td").First.EvaluateAsync<string>("td => getComputedStyle(td).opacity"));
        // A candidate arm lists only the genes that differ from the control.
        var control = arms.Single(a => a.GetProperty("control").GetBoolean()).GetProperty("genome");
        var child = arms.First(a => !a.GetProperty("control").GetBoolean());
        var differing = child.GetProperty("genome").EnumerateObject().Where(g => control.GetProperty(g.Name).GetString() != g.Value.GetString()).Select(g => g.Name).ToList();
        Assert.Equal(differing, await page.Locator($"{card} tr[data-arm='{child.GetProperty("id").GetString()}'] .gene i").AllTextContentsAsync());

        // The allocation chart: one series per arm that got videos, whose bars add up to its videos (by count and by height).
        var series = await page.Locator($"{card} .alloc svg").EvaluateAsync<JsonElement>(@"svg => ({
            unit: Number(svg.dataset.unit),
            series: [...svg.querySelectorAll('g[data-series]')].map(g => ({
              arm: g.dataset.series, fill: g.getAttribute('fill'),
              count: [...g.querySelectorAll('rect')].reduce((n, r) => n + Number(r.dataset.count), 0),
              height: [...g.querySelectorAll('rect')].reduce((n, r) => n + Number(r.getAttribute('height')), 0) })) })");
        var unit = series.GetProperty("unit").GetDouble();
        var drawn = series.GetProperty("series").EnumerateArray().ToList();
        Assert.Equal(allocated.Keys.Order(), drawn.Select(s => s.GetProperty("arm").GetString()!).Order());
        Assert.Equal(drawn.Count, drawn.Select(s => s.GetProperty("fill").GetString()).Distinct().Count());
        Assert.All(drawn, s =>
        {
            var arm = s.GetProperty("arm").GetString()!;
            Assert.Equal(allocated[arm], s.GetProperty("count").GetInt32());
            Assert.Equal(allocated[arm], s.GetProperty("height").GetDouble() / unit, 1);
        });
        Assert.Equal(videos.Count, drawn.Sum(s => s.GetProperty("height").GetDouble()) / unit, 1);
        Assert.Equal(allocated.Count, await page.Locator($"{card} .exp-legend [data-legend]").CountAsync());

        await page.ScreenshotAsync(new() { Path = Screenshot, FullPage = true });

        // The tenant filter shows one tenant's experiments only.
        await page.SelectOptionAsync("#expTenant", "ops-exp-other");
        await page.WaitForSelectorAsync(card, new() { State = WaitForSelectorState.Detached });
        Assert.Equal(1, await page.Locator("#expCards article").CountAsync());
        Assert.Empty(errors);
    }

    private static async Task<(string Id, string Arm)> SubmitAsync(HttpClient http, string topic)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/videos")
        {
            Content = Json(new { topic, experiment = "dashboard-hooks", durationSeconds = 5, preview = true, requireApproval = true }),
        };
        request.Headers.Add("Idempotency-Key", "ops-exp-" + string.Concat(topic.Where(char.IsLetterOrDigit)));
        var r = await http.SendAsync(request);
        var text = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.Accepted, text);
        var view = JsonDocument.Parse(text).RootElement;
        var id = view.GetProperty("id").GetString()!;
        await http.PostAsync($"/v1/videos/{id}/cancel", Json(new { reason = "allocation only" }));
        return (id, view.GetProperty("experiment").GetProperty("arm").GetString()!);
    }
}
