using System.Text.Json.Nodes;
using ViraLoop.Analytics.Platforms;
using Xunit;

namespace ViraLoop.Analytics.Tests.Platforms;

/// <summary>The vendor samples (Samples/README.md says which documented shape each follows) expand into exact events.</summary>
public sealed class PlatformReportTests
{
    private const string Tenant = "acme";
    private static readonly DateOnly PullDay = new(2026, 3, 2);

    private static readonly Dictionary<string, PlatformVideo> Videos = new(StringComparer.Ordinal)
    {
        ["aB3dE5fG7hI"] = new("vid-1", "exp-1", "arm-a"),
        ["Zx9Yw8Vu7Ts"] = new("vid-2", "exp-1", "arm-b"),
        ["7301234567890123456"] = new("vid-3", "exp-2", "arm-a"),
        ["7309876543210987654"] = new("vid-4", "exp-2", "arm-b"),
        ["17895695668004550"] = new("vid-5", "exp-3", "arm-a"),
        ["18021234567890123"] = new("vid-6", "exp-3", "arm-b"),
    };

    private static string Sample(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Platforms", "Samples", name));

    private static PlatformImport Import(string platform, string json, DateOnly? day = null) =>
        PlatformReports.For(platform).Import(Tenant, Videos, day ?? PullDay, json);

    /// <summary>Events per kind (absent kinds 0) and total watch seconds, as the stores add them up (whole milliseconds).</summary>
    private static (Dictionary<EngagementKind, int> Kinds, decimal WatchSeconds) Tally(PlatformImport import)
    {
        var kinds = Enum.GetValues<EngagementKind>().ToDictionary(k => k, k => import.Events.Count(e => e.Kind == k));
        return (kinds, import.Events.Sum(e => e.ValueMilliseconds) / 1000m);
    }

    private static void AssertKinds(PlatformImport import, int impressions, int clicks, int views, int completed, int likes, int shares,
        decimal watchSeconds)
    {
        var (kinds, watch) = Tally(import);
        Assert.Equal(impressions, kinds[EngagementKind.Impression]);
        Assert.Equal(clicks, kinds[EngagementKind.Click]);
        Assert.Equal(views, kinds[EngagementKind.ViewStarted]);
        Assert.Equal(completed, kinds[EngagementKind.Completed]);
        Assert.Equal(likes, kinds[EngagementKind.Like]);
        Assert.Equal(shares, kinds[EngagementKind.Share]);
        Assert.Equal(watchSeconds > 0 ? views : 0, kinds[EngagementKind.WatchTime]);
        Assert.Equal(watchSeconds, watch);
        Assert.Equal(import.Events.Count, import.Events.Select(e => e.EventId).Distinct(StringComparer.Ordinal).Count());
        EngagementEvent.ValidateBatch(import.Events);
        Assert.All(import.Events, e => Assert.Equal(Tenant, e.Tenant));
    }

    [Fact]
    public void YouTube_sample_expands_to_exact_counts_per_kind_and_watch_total()
    {
        var import = Import("youtube", Sample("youtube-reports-query.json"));

        // clicks: round(1800 × 0.0417) + round(1300 × 0.05) + round(900 × 0.0311) = 75 + 65 + 28; watch: (54.5 + 31.2 + 12) × 60 s.
        AssertKinds(import, impressions: 4000, clicks: 168, views: 245, completed: 0, likes: 16, shares: 3, watchSeconds: 5862m);
        Assert.Equal(["Qq1Ww2Ee3Rr"], import.UnmappedVideoIds);

        var first = import.Events.Single(e => e.EventId == "youtube:aB3dE5fG7hI:2026-03-03:click:0");
        Assert.Equal(("vid-1", "exp-1", "arm-a", "youtube"), (first.VideoId, first.ExperimentId, first.ArmId, first.Platform));
        Assert.Equal(new DateTimeOffset(2026, 3, 3, 0, 0, 0, TimeSpan.Zero), first.Timestamp);
        Assert.Contains(import.Events, e => e.EventId == "youtube:aB3dE5fG7hI:2026-03-03:click:64");
        Assert.DoesNotContain(import.Events, e => e.EventId == "youtube:aB3dE5fG7hI:2026-03-03:click:65");

        // 1872 s over 85 views: 22023 ms each and 1 ms more for the first 45 (85 × 22023 + 45 = 1872000).
        var sessions = import.Events.Where(e => e.Kind == EngagementKind.WatchTime && e.EventId.Contains(":2026-03-03:", StringComparison.Ordinal)).ToList();
        Assert.Equal(85, sessions.Count);
        Assert.Equal(45, sessions.Count(e => e.ValueMilliseconds == 22024));
        Assert.Equal(40, sessions.Count(e => e.ValueMilliseconds == 22023));
    }

    [Fact]
    public void TikTok_display_sample_gives_views_likes_shares_only()
    {
        var import = Import("tiktok", Sample("tiktok-video-query.json"));

        AssertKinds(import, impressions: 0, clicks: 0, views: 440, completed: 0, likes: 48, shares: 7, watchSeconds: 0m);
        Assert.Equal(["7300000000000000001"], import.UnmappedVideoIds);
        Assert.All(import.Events, e => Assert.Equal(new DateTimeOffset(2026, 3, 2, 0, 0, 0, TimeSpan.Zero), e.Timestamp));
    }

    [Fact]
    public void TikTok_business_sample_adds_reach_completions_and_watch_time()
    {
        var import = Import("tiktok", Sample("tiktok-business-video-list.json"));

        // completed: round(350 × 0.2314) + round(90 × 0.3) = 81 + 27; watch: 3297 + 640 s.
        AssertKinds(import, impressions: 395, clicks: 0, views: 440, completed: 108, likes: 48, shares: 7, watchSeconds: 3937m);
        Assert.Empty(import.UnmappedVideoIds);
        Assert.All(import.Events.Where(e => e.VideoId == "vid-3" && e.Kind == EngagementKind.WatchTime), e => Assert.Equal(9.42, e.Value));
    }

    [Fact]
    public void Instagram_sample_uses_views_reach_and_millisecond_watch_times()
    {
        var import = Import("instagram", Sample("instagram-media-insights.json"));

        AssertKinds(import, impressions: 1460, clicks: 0, views: 2210, completed: 0, likes: 133, shares: 19, watchSeconds: 15116.4m);
        Assert.All(import.Events, e => Assert.Equal("vid-5", e.VideoId));
        Assert.Contains(import.Events, e => e.EventId == "instagram:17895695668004550:2026-03-02:view-started:2209");
    }

    [Fact]
    public void Instagram_several_media_at_once_add_up_and_an_empty_data_set_gives_nothing()
    {
        var import = Import("instagram", Sample("instagram-media-insights-multi.json"));

        // The second media reports only its average: 300 views × 5 s.
        AssertKinds(import, impressions: 1710, clicks: 0, views: 2510, completed: 0, likes: 153, shares: 21, watchSeconds: 15116.4m + 1500m);
        Assert.Empty(import.UnmappedVideoIds);
        var single = Import("instagram", Sample("instagram-media-insights.json"));
        Assert.Empty(single.Events.Select(e => e.EventId).Except(import.Events.Select(e => e.EventId)));
    }

    public static TheoryData<string, string> AllSamples => new()
    {
        { "youtube", "youtube-reports-query.json" },
        { "tiktok", "tiktok-video-query.json" },
        { "tiktok", "tiktok-business-video-list.json" },
        { "instagram", "instagram-media-insights.json" },
        { "instagram", "instagram-media-insights-multi.json" },
    };

    [Theory]
    [MemberData(nameof(AllSamples))]
    public void Pulling_the_same_report_again_gives_identical_events(string platform, string sample)
    {
        var first = Import(platform, Sample(sample));
        var again = Import(platform, Sample(sample));

        Assert.NotEmpty(first.Events);
        Assert.Equal(first.Events, again.Events);
    }

    [Fact]
    public void A_later_larger_youtube_report_is_a_superset_that_adds_only_the_growth()
    {
        var earlier = Import("youtube", Sample("youtube-reports-query.json"));
        var later = JsonNode.Parse(Sample("youtube-reports-query.json"))!;
        var row = later["rows"]![1]!.AsArray(); // aB3dE5fG7hI on 2026-03-03: 85 → 100 views, 4 → 6 likes, 1300 → 1500 impressions
        row[2] = 100;
        row[3] = 36.5;
        row[5] = 6;
        row[7] = 1500;
        later["rows"]!.AsArray().Add(new JsonArray("Zx9Yw8Vu7Ts", "2026-03-04", 5, 1, 12, 0, 1, 100, 0.03));

        var grown = Import("youtube", later.ToJsonString());

        var before = earlier.Events.Select(e => e.EventId).ToHashSet(StringComparer.Ordinal);
        var after = grown.Events.Select(e => e.EventId).ToHashSet(StringComparer.Ordinal);
        Assert.Subset(after, before);
        var added = grown.Events.Where(e => !before.Contains(e.EventId)).ToList();
        // 2026-03-03: 200 impressions, 10 clicks (75 − 65), 15 views and sessions, 2 likes; 2026-03-04: 100 + 3 + 5 + 5 + 1 share.
        Assert.Equal(200 + 10 + 15 + 15 + 2 + 100 + 3 + 5 + 5 + 1, added.Count);
        Assert.Equal(Enumerable.Range(85, 15).Select(i => $"youtube:aB3dE5fG7hI:2026-03-03:view-started:{i}"),
            added.Where(e => e.Kind == EngagementKind.ViewStarted && e.VideoId == "vid-1").Select(e => e.EventId));
    }

    [Fact]
    public void A_later_larger_lifetime_tiktok_report_for_the_same_day_is_a_superset()
    {
        var earlier = Import("tiktok", Sample("tiktok-business-video-list.json"));
        var later = JsonNode.Parse(Sample("tiktok-business-video-list.json"))!;
        var video = later["data"]!["videos"]![0]!;
        video["video_views"] = 400;
        video["total_time_watched"] = 3800;
        video["reach"] = 350;

        var grown = Import("tiktok", later.ToJsonString());

        var before = earlier.Events.Select(e => e.EventId).ToHashSet(StringComparer.Ordinal);
        Assert.Subset(grown.Events.Select(e => e.EventId).ToHashSet(StringComparer.Ordinal), before);
        // 50 views and sessions, 40 reach, completions round(400 × 0.2314) − 81 = 12.
        Assert.Equal(50 + 50 + 40 + 12, grown.Events.Count(e => !before.Contains(e.EventId)));
    }

    [Fact]
    public void YouTube_columns_in_another_order_give_the_same_events()
    {
        var original = JsonNode.Parse(Sample("youtube-reports-query.json"))!;
        var order = new[] { 4, 6, 0, 8, 1, 7, 3, 2, 5 }; // no column keeps its place
        var headers = original["columnHeaders"]!.AsArray();
        var shuffled = new JsonObject
        {
            ["kind"] = "youtubeAnalytics#resultTable",
            ["columnHeaders"] = new JsonArray(order.Select(i => headers[i]!.DeepClone()).ToArray()),
            ["rows"] = new JsonArray(original["rows"]!.AsArray().Reverse()
                .Select(row => (JsonNode)new JsonArray(order.Select(i => row![i]!.DeepClone()).ToArray())).ToArray()),
        };

        var expected = Import("youtube", original.ToJsonString()).Events.OrderBy(e => e.EventId, StringComparer.Ordinal);
        var actual = Import("youtube", shuffled.ToJsonString()).Events.OrderBy(e => e.EventId, StringComparer.Ordinal);

        Assert.Equal(expected, actual);
    }

    [Fact]
    public void A_youtube_report_without_a_day_column_takes_the_callers_day_and_needs_one()
    {
        const string json = """
            {"kind":"youtubeAnalytics#resultTable",
             "columnHeaders":[{"name":"video","columnType":"DIMENSION","dataType":"STRING"},{"name":"views","columnType":"METRIC","dataType":"INTEGER"}],
             "rows":[["aB3dE5fG7hI",3]]}
            """;

        var import = PlatformReports.For("youtube").Import(Tenant, Videos, new DateOnly(2026, 1, 31), json);
        Assert.Equal(["youtube:aB3dE5fG7hI:2026-01-31:view-started:0", "youtube:aB3dE5fG7hI:2026-01-31:view-started:1",
            "youtube:aB3dE5fG7hI:2026-01-31:view-started:2"], import.Events.Select(e => e.EventId));

        var error = Assert.Throws<PlatformReportException>(() => PlatformReports.For("youtube").Import(Tenant, Videos, null, json));
        Assert.Equal("columnHeaders[day]", error.Field);
    }

    [Fact]
    public void A_youtube_report_without_rows_has_no_events()
    {
        var empty = JsonNode.Parse(Sample("youtube-reports-query.json"))!.AsObject();
        empty.Remove("rows");

        Assert.Empty(Import("youtube", empty.ToJsonString()).Events);
    }

    public static TheoryData<string, string, Func<JsonNode, JsonNode>, string> Broken => new()
    {
        { "youtube", "youtube-reports-query.json", Without("columnHeaders", 2), "columnHeaders[views]" },
        { "youtube", "youtube-reports-query.json", Without("columnHeaders", 0), "columnHeaders[video]" },
        { "youtube", "youtube-reports-query.json", Set(r => r["rows"]![2]!.AsArray()[5] = -1), "rows[2].likes" },
        { "youtube", "youtube-reports-query.json", Set(r => r["rows"]![0]!.AsArray()[2] = 1_000_001), "rows[0].views" },
        { "youtube", "youtube-reports-query.json", Set(r => r["rows"]![0]!.AsArray()[2] = "many"), "rows[0].views" },
        { "youtube", "youtube-reports-query.json", Set(r => r["rows"]![1]!.AsArray()[8] = 4.2), "rows[1].videoThumbnailImpressionsClickRate" },
        { "youtube", "youtube-reports-query.json", Set(r => r["rows"]![1]!.AsArray().RemoveAt(8)), "rows[1]" },
        { "youtube", "youtube-reports-query.json", Set(r => r["rows"]![0]!.AsArray()[1] = "03/02/2026"), "rows[0].day" },
        { "youtube", "youtube-reports-query.json", Set(r => r["kind"] = "youtube#video"), "kind" },
        { "tiktok", "tiktok-video-query.json", Set(r => r["data"]!["videos"]![1]!.AsObject().Remove("view_count")), "data.videos[1].view_count|video_views" },
        { "tiktok", "tiktok-video-query.json", Set(r => r["data"]!["videos"]![0]!.AsObject().Remove("id")), "data.videos[0].id" },
        { "tiktok", "tiktok-video-query.json", Set(r => r["data"]!["videos"]![0]!["share_count"] = -3), "data.videos[0].share_count" },
        { "tiktok", "tiktok-video-query.json", Set(r => r["error"]!["code"] = "access_token_invalid"), "error.code" },
        { "tiktok", "tiktok-video-query.json", Set(r => r.AsObject().Remove("data")), "data" },
        { "tiktok", "tiktok-business-video-list.json", Set(r => r["code"] = 40001), "code" },
        { "tiktok", "tiktok-business-video-list.json", Set(r => r["data"]!["videos"]![0]!["full_video_watched_rate"] = 23.14), "data.videos[0].full_video_watched_rate" },
        { "instagram", "instagram-media-insights.json", Without("data", 1), "data.17895695668004550.views|plays" },
        { "instagram", "instagram-media-insights.json", Set(r => r["data"]![4]!["values"]![0]!["value"] = -19), "data.17895695668004550.shares" },
        { "instagram", "instagram-media-insights.json", Set(r => r["data"]![2]!.AsObject().Remove("name")), "data[2].name" },
        { "instagram", "instagram-media-insights.json", Set(r => r["data"]![2]!["id"] = "999/insights/likes/lifetime"), "data[2].id" },
    };

    [Theory]
    [MemberData(nameof(Broken))]
    public void A_broken_report_is_refused_naming_the_field(string platform, string sample, Func<JsonNode, JsonNode> breakIt, string field)
    {
        var json = breakIt(JsonNode.Parse(Sample(sample))!).ToJsonString();

        var error = Assert.Throws<PlatformReportException>(() => Import(platform, json));

        Assert.Equal(field, error.Field);
        Assert.Equal(platform, error.Platform);
        Assert.Contains(field, error.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<FormatException>(error);
    }

    [Theory]
    [InlineData("youtube")]
    [InlineData("tiktok")]
    [InlineData("instagram")]
    public void Malformed_json_is_refused(string platform)
    {
        var error = Assert.Throws<PlatformReportException>(() => Import(platform, """{"data": [ {"name": "views", """));

        Assert.Equal("$", error.Field);
        Assert.Contains("not JSON", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lifetime_reports_need_the_callers_day_and_unknown_platforms_are_refused()
    {
        var tiktok = Assert.Throws<PlatformReportException>(() => PlatformReports.For("tiktok").Import(Tenant, Videos, null, Sample("tiktok-video-query.json")));
        Assert.Equal("day", tiktok.Field);
        Assert.Throws<ArgumentException>(() => PlatformReports.For("myspace"));
    }

    private static Func<JsonNode, JsonNode> Set(Action<JsonNode> change) => node =>
    {
        change(node);
        return node;
    };

    private static Func<JsonNode, JsonNode> Without(string array, int index) => Set(node =>
    {
        node[array]!.AsArray().RemoveAt(index);
        if (array == "columnHeaders")
        {
            foreach (var row in node["rows"]!.AsArray())
            {
                row!.AsArray().RemoveAt(index);
            }
        }
    });
}
