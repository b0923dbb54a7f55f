using System.Text.Json;

namespace ViraLoop.Analytics.Platforms;

/// <summary>
/// Instagram Graph API media insights (<c>GET /{media-id}/insights?metric=…</c>):
/// <c>{"data":[{"name","period","values":[{"value"}],"title","description","id":"{media-id}/insights/{name}/lifetime"}]}</c>,
/// the media id taken from the entries' <c>id</c>; or several media at once (<c>?ids=a,b</c>): an object keyed by media id,
/// each holding such a <c>data</c>. Lifetime totals: the caller passes the day they count for. Of several <c>values</c>, the
/// last counts. An empty <c>data</c> (Instagram's answer when insights are not available yet) gives no events.
/// <list type="bullet">
/// <item><c>views</c>, else <c>plays</c> (deprecated), required → view-started; <c>likes</c> → like; <c>shares</c> → share.</item>
/// <item><c>impressions</c> (deprecated), else <c>reach</c> (unique accounts: a lower bound) → impression. No clicks or completions.</item>
/// <item><c>ig_reels_video_view_total_time</c> (milliseconds) is the watch total; without it, <c>ig_reels_avg_watch_time</c>
/// (milliseconds) × views.</item>
/// </list>
/// </summary>
public sealed class InstagramAdapter : IPlatformAdapter
{
    private static readonly NamedMetrics Metrics = new(
        Views: ["views", "plays"],
        Impressions: ["impressions", "reach"],
        Likes: ["likes"],
        Shares: ["shares"],
        CompletionRate: [],
        WatchTotal: ["ig_reels_video_view_total_time"],
        WatchAverage: ["ig_reels_avg_watch_time"],
        SecondsPerWatchUnit: 0.001);

    public string Platform => "instagram";

    public IReadOnlyList<PlatformCounts> Read(JsonElement report, DateOnly? day)
    {
        var r = new ReportReader(Platform);
        if (report.ValueKind != JsonValueKind.Object)
        {
            throw r.Error("$", "expected the insights object");
        }

        var reportDay = r.Day(day, "day");
        var result = new List<PlatformCounts>();
        if (report.TryGetProperty("data", out var single))
        {
            Media(r, null, single, "data", reportDay, result);
            return result;
        }

        foreach (var media in report.EnumerateObject())
        {
            Media(r, media.Name, r.Property(media.Value, "data", media.Name), media.Name + ".data", reportDay, result);
        }

        return result;
    }

    private static void Media(ReportReader r, string? mediaId, JsonElement data, string path, DateOnly day, List<PlatformCounts> result)
    {
        var metrics = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        var index = 0;
        foreach (var entry in r.Array(data, path).EnumerateArray())
        {
            var at = $"{path}[{index++}]";
            var name = r.Text(r.Property(entry, "name", at), at + ".name");
            var values = r.Array(r.Property(entry, "values", at), at + ".values");
            if (values.GetArrayLength() == 0)
            {
                continue;
            }

            metrics[name] = r.Property(values[values.GetArrayLength() - 1], "value", $"{at}.values[{values.GetArrayLength() - 1}]");
            if (entry.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String && id.GetString()!.Split('/')[0] is { Length: > 0 } owner)
            {
                mediaId ??= owner;
                if (owner != mediaId)
                {
                    throw r.Error(at + ".id", $"media '{owner}' in the insights of '{mediaId}'");
                }
            }
        }

        if (metrics.Count == 0)
        {
            return;
        }

        var video = mediaId ?? throw r.Error(path + "[].id", "no entry names its media ({media-id}/insights/…)");
        result.Add(Metrics.Read(r, video, day, name => metrics.TryGetValue(name, out var value) ? value : null, path + "." + video));
    }
}
