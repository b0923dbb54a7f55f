using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ViraLoop.Grains;
using Xunit;

namespace ViraLoop.Api.Tests;

/// <summary>
/// The optimisation loop through the API, on the embedded analytics store: experiments and their arms, videos allocated
/// by Thompson sampling, engagement in through <c>POST /v1/metrics</c> (checked, idempotent, late events, tenant-scoped),
/// and a generation bred from the evidence. Videos wait for approval, so nothing is rendered.
/// </summary>
public sealed class ExperimentApiTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private static StringContent Json(object body) => new(JsonSerializer.Serialize(body), System.Text.Encoding.UTF8, "application/json");

    [Fact]
    public async Task Experiment_IsValidated_AndIsInvisibleToAnotherTenant()
    {
        var (http, _) = await api.TenantAsync("exp-valid");
        var (other, _) = await api.TenantAsync("exp-other");
        var body = new { name = "Hooks that work", arms = 4, objective = "ctr", seed = 5, control = new { mood = "calm" } };
        var created = await http.PostAsync("/v1/experiments", Json(body));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var view = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("hooks-that-work", view.GetProperty("id").GetString());
        var arms = view.GetProperty("arms").EnumerateArray().ToList();
        Assert.Equal(5, arms.Count);
        Assert.True(arms[0].GetProperty("control").GetBoolean());
        Assert.Equal("calm", arms[0].GetProperty("genome").GetProperty("mood").GetString());
        Assert.Equal("question", arms[0].GetProperty("genome").GetProperty("hook").GetString());
        Assert.Equal(5, arms.Select(a => a.GetProperty("id").GetString()).Distinct().Count());
        Assert.All(arms, a => Assert.Equal(9, a.GetProperty("genome").EnumerateObject().Count()));

        Assert.Equal(HttpStatusCode.Created, (await http.PostAsync("/v1/experiments", Json(body))).StatusCode);
        await Problem.AssertAsync(await http.PostAsync("/v1/experiments", Json(body with { arms = 6 })), HttpStatusCode.Conflict, "conflict");
        var bad = await Problem.AssertAsync(await http.PostAsync("/v1/experiments", Json(new { name = "x", objective = "likes", arms = 99 })), HttpStatusCode.BadRequest);
        Assert.Contains("arms", bad.GetProperty("detail").GetString());
        var gene = await Problem.AssertAsync(await http.PostAsync("/v1/experiments", Json(new { name = "y", control = new { font = "comic" } })), HttpStatusCode.BadRequest);
        Assert.Contains("unknown gene 'font'", gene.GetProperty("detail").GetString());
        await Problem.AssertAsync(await http.PostAsync("/v1/experiments", Json(new { name = "z", control = new { hook = "shouting" } })), HttpStatusCode.BadRequest);

        await Problem.AssertAsync(await other.GetAsync("/v1/experiments/hooks-that-work"), HttpStatusCode.NotFound, "not-found");
        Assert.Empty((await other.GetFromJsonAsync<JsonElement>("/v1/experiments")).GetProperty("items").EnumerateArray());
        Assert.Contains((await http.GetFromJsonAsync<JsonElement>("/v1/experiments")).GetProperty("items").EnumerateArray(),
            e => e.GetProperty("id").GetString() == "hooks-that-work");
        var submit = await other.PostAsync("/v1/videos", Json(new { topic = "Why owls hoot", experiment = "hooks-that-work", preview = true, requireApproval = true }));
        await Problem.AssertAsync(submit, HttpStatusCode.BadRequest);
        var genes = await http.GetFromJsonAsync<JsonElement>("/v1/genes");
        Assert.Equal(9, genes.GetArrayLength());
    }

    [Fact]
    public async Task Metrics_MoveTheArms_Idempotently_AndBreedTheNextGeneration_AndAllocationFollowsTheBest()
    {
        var (http, _) = await api.TenantAsync("exp-loop");
        var (other, _) = await api.TenantAsync("exp-loop-other");
        var created = await http.PostAsync("/v1/experiments", Json(new { name = "loop", arms = 4, controlShare = 0.1, minExposures = 100, seed = 11 }));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        // Videos allocated until every arm has one (Thompson sampling over uniform priors spreads them); the job view names experiment and arm.
        var experiment = await http.GetFromJsonAsync<JsonElement>("/v1/experiments/loop");
        var videos = new List<(string Id, string Arm)>();
        for (var i = 0; i < 60 && experiment.GetProperty("arms").EnumerateArray().Any(a => !videos.Any(v => v.Arm == a.GetProperty("id").GetString())); i++)
            videos.Add(await SubmitAsync(http, $"Why the sea is salty, take {i}"));
        experiment = await http.GetFromJsonAsync<JsonElement>("/v1/experiments/loop");
        var armIds = experiment.GetProperty("arms").EnumerateArray().Select(a => a.GetProperty("id").GetString()!).ToList();
        Assert.All(videos, v => Assert.Contains(v.Arm, armIds));
        Assert.Equal(videos.Count, experiment.GetProperty("videos").GetInt32());
        Assert.Equal(videos.Count, experiment.GetProperty("allocations").GetArrayLength());
        // The history names the videos (not the idempotency keys that made the allocation sticky).
        Assert.Equal(videos.Select(v => v.Id).Order(), experiment.GetProperty("allocations").EnumerateArray().Select(a => a.GetProperty("videoId").GetString()!).Order());
        Assert.Equal(armIds.Count, videos.Select(v => v.Arm).Distinct().Count());

        // The best arm: one that got a video and is not the control.
        var candidates = experiment.GetProperty("arms").EnumerateArray().Where(a => !a.GetProperty("control").GetBoolean()).Select(a => a.GetProperty("id").GetString()!).ToList();
        var best = videos.Select(v => v.Arm).First(candidates.Contains);
        var events = new List<object>();
        var at = DateTimeOffset.UtcNow.AddDays(-3);
        foreach (var (id, arm) in videos)
        {
            var clicks = arm == best ? 45 : 3;
            for (var n = 0; n < 150; n++)
            {
                events.Add(new { id = $"{id}-imp-{n}", videoId = id, kind = "impression", at = at.AddMinutes(n), platform = "simulator" });
                if (n < clicks) events.Add(new { id = $"{id}-click-{n}", videoId = id, kind = "click", at = at.AddMinutes(n).AddSeconds(5), platform = "simulator" });
            }
            events.Add(new { id = $"{id}-watch-0", videoId = id, kind = "watch-time", value = 12.5, at = at.AddHours(1) });
        }
        events.Reverse(); // out of order on purpose

        // A bad event refuses the whole batch and names it; nothing is kept.
        var badBatch = events.Take(10).Append(new { id = "x", videoId = videos[0].Id, kind = "purchase" }).Append(new { id = "y", videoId = "vid_doesnotexist", kind = "click" }).ToList();
        var refused = await Problem.AssertAsync(await http.PostAsync("/v1/metrics", Json(new { events = badBatch })), HttpStatusCode.BadRequest);
        var errors = refused.GetProperty("errors").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Contains(errors, e => e.StartsWith("events[10].kind", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("events[11].videoId", StringComparison.Ordinal));
        await Problem.AssertAsync(await other.PostAsync("/v1/metrics", Json(new { events = events.Take(5) })), HttpStatusCode.BadRequest);
        Assert.Equal(0, Totals(await http.GetFromJsonAsync<JsonElement>("/v1/experiments/loop")).Impressions);

        var first = await http.PostAsync("/v1/metrics", Json(new { events }));
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var accepted = await first.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(accepted.GetProperty("durable").GetBoolean());
        Assert.Equal(events.Count, accepted.GetProperty("accepted").GetInt32());
        var after = await http.GetFromJsonAsync<JsonElement>("/v1/experiments/loop");
        var totals = Totals(after);
        Assert.Equal(videos.Count * 150, totals.Impressions);

        // The same batch again (a platform re-delivery), in another order: nothing counts twice.
        events.Reverse();
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/v1/metrics", Json(new { events }))).StatusCode);
        var again = await http.GetFromJsonAsync<JsonElement>("/v1/experiments/loop");
        Assert.Equal(totals, Totals(again));

        // Weak arms past their 100 exposures were retired and replaced; a child's prior comes from its genes' record elsewhere.
        Assert.True(again.GetProperty("generation").GetInt32() >= 1, again.ToString());
        var arms = again.GetProperty("arms").EnumerateArray().ToList();
        var retired = arms.Where(a => a.GetProperty("retiredAt").ValueKind == JsonValueKind.Number).ToList();
        Assert.NotEmpty(retired);
        Assert.DoesNotContain(retired, a => a.GetProperty("id").GetString() == best || a.GetProperty("control").GetBoolean());
        var children = arms.Where(a => a.GetProperty("generation").GetInt32() >= 1).ToList();
        Assert.Equal(retired.Count, children.Count);
        Assert.All(children, c =>
        {
            // Not the uniform Beta(1, 1): the per-gene model put the child's prior where its genes' record elsewhere is.
            var prior = c.GetProperty("prior");
            Assert.True(Math.Abs(prior.GetProperty("mean").GetDouble() - 0.5) > 0.1, c.ToString());
        });
        var bestArm = arms.Single(a => a.GetProperty("id").GetString() == best);
        Assert.InRange(bestArm.GetProperty("posterior").GetProperty("mean").GetDouble(), 0.2, 0.4);
        // The best arm leads; a child bred from it starts near it (shared gene evidence), so it takes some of the chance of being best.
        Assert.True(bestArm.GetProperty("probabilityBest").GetDouble() > 0.5, again.ToString());
        Assert.Equal(bestArm.GetProperty("probabilityBest").GetDouble(), arms.Max(a => a.GetProperty("probabilityBest").GetDouble()));
        Assert.Equal(best, again.GetProperty("leader").GetString());
        Assert.True(bestArm.GetProperty("meanWatchSeconds").GetDouble() > 8);

        // New videos now go to the best arm and to children that inherit its strong genes, apart from the control's held-out share.
        // Thompson sampling gives an arm its chance of being best: the arms that together hold 95 % of it take the videos.
        var byChance = arms.OrderByDescending(a => a.GetProperty("probabilityBest").GetDouble()).ToList();
        var strong = new HashSet<string?>();
        for (var (i, sum) = (0, 0.0); sum < 0.95; sum += byChance[i++].GetProperty("probabilityBest").GetDouble()) strong.Add(byChance[i].GetProperty("id").GetString());
        Assert.True(strong.Count <= arms.Count - retired.Count - 2, again.ToString());
        var later = new List<string>();
        for (var i = 0; i < 20; i++) later.Add((await SubmitAsync(http, $"Why the sky is blue, take {i}")).Arm);
        var control = arms.Single(a => a.GetProperty("control").GetBoolean()).GetProperty("id").GetString();
        var nonControl = later.Where(a => a != control).ToList();
        Assert.True(nonControl.Count(strong.Contains) >= 0.7 * nonControl.Count, string.Join(",", later) + " strong " + string.Join(",", strong));
        Assert.Contains(best, nonControl);

        // A late click for a retired arm's video still counts, and every arm's grain, retired ones included, holds what the
        // experiment shows (retired arms are told only when they have news, not woken on every refresh).
        var retiredId = retired[0].GetProperty("id").GetString()!;
        var lateVideo = videos.First(v => v.Arm == retiredId).Id;
        var late = new[] { new { id = $"{lateVideo}-late-click", videoId = lateVideo, kind = "click", at = at.AddDays(2), platform = "simulator" } };
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/v1/metrics", Json(new { events = late }))).StatusCode);
        var final = await http.GetFromJsonAsync<JsonElement>("/v1/experiments/loop");
        long Clicks(JsonElement e, string arm) => e.GetProperty("arms").EnumerateArray().Single(a => a.GetProperty("id").GetString() == arm).GetProperty("clicks").GetInt64();
        Assert.Equal(Clicks(again, retiredId) + 1, Clicks(final, retiredId));
        var grains = api.Services.GetRequiredService<IGrainFactory>();
        foreach (var arm in final.GetProperty("arms").EnumerateArray())
        {
            var id = arm.GetProperty("id").GetString()!;
            var held = await grains.GetGrain<IBanditArmGrain>(ExperimentKeys.Arm("exp-loop", "loop", id)).GetSnapshot();
            Assert.NotNull(held);
            Assert.Equal((arm.GetProperty("impressions").GetInt64(), arm.GetProperty("clicks").GetInt64()), (held.Totals.Impressions, held.Totals.Clicks));
            Assert.Equal(arm.GetProperty("retiredAt").ValueKind == JsonValueKind.Number ? arm.GetProperty("retiredAt").GetInt32() : null, held.RetiredAt);
        }
    }

    private const string YouTubeReport = """
        {
          "kind": "youtubeAnalytics#resultTable",
          "columnHeaders": [
            { "name": "video", "columnType": "DIMENSION", "dataType": "STRING" },
            { "name": "day", "columnType": "DIMENSION", "dataType": "STRING" },
            { "name": "views", "columnType": "METRIC", "dataType": "INTEGER" },
            { "name": "estimatedMinutesWatched", "columnType": "METRIC", "dataType": "INTEGER" },
            { "name": "videoThumbnailImpressions", "columnType": "METRIC", "dataType": "INTEGER" },
            { "name": "videoThumbnailImpressionsClickRate", "columnType": "METRIC", "dataType": "FLOAT" }
          ],
          "rows": [
            ["aB3dE5fG7hI", "2026-03-02", VIEWS, 54.5, 1800, 0.04],
            ["aB3dE5fG7hI", "2026-03-03", 85, 31.2, 1300, 0.05],
            ["Zx9Yw8Vu7Ts", "2026-03-02", 40, 12, 900, 0.03],
            ["Qq1Ww2Ee3Rr", "2026-03-02", 10, 2, 300, 0.02]
          ]
        }
        """;

    [Fact]
    public async Task PlatformReport_IsImportedForTheMappedVideos_Idempotently_AndGrowthOnlyAddsTheNew()
    {
        var (http, _) = await api.TenantAsync("exp-platform");
        var (other, _) = await api.TenantAsync("exp-platform-other");
        Assert.Equal(HttpStatusCode.Created, (await http.PostAsync("/v1/experiments", Json(new { name = "yt", arms = 2, controlShare = 0.0, seed = 3 }))).StatusCode);
        var first = await SubmitAsync(http, "Why cats purr", "yt");
        var second = await SubmitAsync(http, "Why dogs bark", "yt");
        var (otherVideo, _) = await SubmitOtherAsync(other);
        object Body(int views, string? platform = null, object? videos = null) => new
        {
            platform,
            videos = videos ?? new Dictionary<string, string> { ["aB3dE5fG7hI"] = first.Id, ["Zx9Yw8Vu7Ts"] = second.Id },
            report = JsonDocument.Parse(YouTubeReport.Replace("VIEWS", views.ToString(System.Globalization.CultureInfo.InvariantCulture))).RootElement,
        };

        var r = await http.PostAsync("/v1/metrics/youtube", Json(Body(120)));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var accepted = await r.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["Qq1Ww2Ee3Rr"], accepted.GetProperty("unmapped").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["yt"], accepted.GetProperty("experiments").EnumerateArray().Select(e => e.GetString()));
        // Impressions 1800 + 1300 + 900, clicks 72 + 65 + 27, views 120 + 85 + 40 (each with a watch-time event).
        Assert.Equal(4000 + 164 + 2 * 245, accepted.GetProperty("accepted").GetInt32());
        var view = await http.GetFromJsonAsync<JsonElement>("/v1/experiments/yt");
        var totals = Totals(view);
        Assert.Equal((4000L, 164L), (totals.Impressions, totals.Clicks));
        Assert.Equal((54.5 + 31.2 + 12) * 60, totals.Watch, 0.5);
        Assert.Equal(245, view.GetProperty("arms").EnumerateArray().Sum(a => a.GetProperty("viewsStarted").GetInt64()));

        // The same report pulled again changes nothing; a later one with 10 more views on the first day adds only those.
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/v1/metrics/youtube", Json(Body(120)))).StatusCode);
        Assert.Equal(totals, Totals(await http.GetFromJsonAsync<JsonElement>("/v1/experiments/yt")));
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/v1/metrics/youtube", Json(Body(130, "youtube")))).StatusCode);
        Assert.Equal(255, (await http.GetFromJsonAsync<JsonElement>("/v1/experiments/yt")).GetProperty("arms").EnumerateArray().Sum(a => a.GetProperty("viewsStarted").GetInt64()));

        await Problem.AssertAsync(await http.PostAsync("/v1/metrics/myspace", Json(Body(120))), HttpStatusCode.NotFound, "not-found");
        var mismatch = await Problem.AssertAsync(await http.PostAsync("/v1/metrics/tiktok", Json(Body(120, "youtube"))), HttpStatusCode.BadRequest);
        Assert.Contains("platform", mismatch.GetProperty("detail").GetString());
        var foreign = await Problem.AssertAsync(await http.PostAsync("/v1/metrics/youtube", Json(Body(120, videos: new Dictionary<string, string> { ["aB3dE5fG7hI"] = otherVideo }))), HttpStatusCode.BadRequest);
        Assert.Contains("no such video", foreign.GetProperty("detail").GetString());
        var broken = await Problem.AssertAsync(await http.PostAsync("/v1/metrics/youtube", Json(new { videos = new Dictionary<string, string> { ["aB3dE5fG7hI"] = first.Id }, report = new { kind = "youtubeAnalytics#resultTable", rows = new[] { new[] { 1 } } } })), HttpStatusCode.BadRequest);
        Assert.Contains("report", broken.GetProperty("detail").GetString());
        Assert.Equal(255, (await http.GetFromJsonAsync<JsonElement>("/v1/experiments/yt")).GetProperty("arms").EnumerateArray().Sum(a => a.GetProperty("viewsStarted").GetInt64()));
    }

    private static async Task<(string Id, string Status)> SubmitOtherAsync(HttpClient http)
    {
        var r = await http.PostAsync("/v1/videos", Json(new { topic = "Someone else's video", durationSeconds = 5, preview = true, requireApproval = true }));
        var view = await r.Content.ReadFromJsonAsync<JsonElement>();
        var id = view.GetProperty("id").GetString()!;
        await http.PostAsync($"/v1/videos/{id}/cancel", Json(new { reason = "not needed" }));
        return (id, view.GetProperty("status").GetString()!);
    }

    private static (long Impressions, long Clicks, double Watch) Totals(JsonElement experiment)
    {
        var arms = experiment.GetProperty("arms").EnumerateArray().ToList();
        return (arms.Sum(a => a.GetProperty("impressions").GetInt64()), arms.Sum(a => a.GetProperty("clicks").GetInt64()), arms.Sum(a => a.GetProperty("watchSeconds").GetDouble()));
    }

    private static async Task<(string Id, string Arm)> SubmitAsync(HttpClient http, string topic, string experiment = "loop")
    {
        // The idempotency key (not the random video id) keys the allocation, so the test draws the same arms every run.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/videos") { Content = Json(new { topic, experiment, durationSeconds = 5, preview = true, requireApproval = true }) };
        request.Headers.Add("Idempotency-Key", "exp-" + string.Concat(topic.Where(char.IsLetterOrDigit)));
        var r = await http.SendAsync(request);
        var text = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.Accepted, text);
        var view = JsonDocument.Parse(text).RootElement;
        var id = view.GetProperty("id").GetString()!;
        Assert.Equal(experiment, view.GetProperty("experiment").GetProperty("id").GetString());
        await http.PostAsync($"/v1/videos/{id}/cancel", Json(new { reason = "allocation only" }));
        return (id, view.GetProperty("experiment").GetProperty("arm").GetString()!);
    }
}
