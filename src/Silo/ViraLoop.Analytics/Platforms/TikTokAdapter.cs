using System.Text.Json;

namespace ViraLoop.Analytics.Platforms;

/// <summary>
/// TikTok video lists: the Display API v2 (<c>POST /v2/video/query/</c> and <c>/v2/video/list/</c>:
/// <c>{"data":{"videos":[{"id","view_count","like_count","share_count","comment_count",…}]},"error":{"code":"ok",…}}</c>)
/// and the API for Business account video list (<c>{"code":0,"message":"OK","data":{"videos":[{"item_id","video_views",
/// "likes","shares","reach","average_time_watched","total_time_watched","full_video_watched_rate",…}]}}</c>). Both are
/// lifetime totals: the caller passes the day they count for.
/// <list type="bullet">
/// <item><c>id</c> | <c>item_id</c> (required): the platform video id.</item>
/// <item><c>view_count</c> | <c>video_views</c> (required) → view-started; <c>like_count</c> | <c>likes</c> → like;
/// <c>share_count</c> | <c>shares</c> → share.</item>
/// <item><c>impressions</c>, else <c>reach</c> (unique viewers: a lower bound) → impression. No clicks.</item>
/// <item><c>full_video_watched_rate</c> (a fraction) × views → completed.</item>
/// <item><c>total_time_watched</c> (seconds) is the watch total; without it, <c>average_time_watched</c> (seconds) × views.</item>
/// </list>
/// An <c>error.code</c> other than <c>ok</c>, or a business <c>code</c> other than 0, is refused with the vendor's message.
/// </summary>
public sealed class TikTokAdapter : IPlatformAdapter
{
    private static readonly NamedMetrics Metrics = new(
        Views: ["view_count", "video_views"],
        Impressions: ["impressions", "reach"],
        Likes: ["like_count", "likes"],
        Shares: ["share_count", "shares"],
        CompletionRate: ["full_video_watched_rate"],
        WatchTotal: ["total_time_watched"],
        WatchAverage: ["average_time_watched"],
        SecondsPerWatchUnit: 1);

    public string Platform => "tiktok";

    public IReadOnlyList<PlatformCounts> Read(JsonElement report, DateOnly? day)
    {
        var r = new ReportReader(Platform);
        if (report.ValueKind != JsonValueKind.Object)
        {
            throw r.Error("$", "expected the response object");
        }

        if (report.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object
            && error.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.String && code.GetString() != "ok")
        {
            throw r.Error("error.code", $"TikTok answered '{code.GetString()}': {Message(error)}");
        }

        if (report.TryGetProperty("code", out var businessCode) && businessCode.ValueKind == JsonValueKind.Number && businessCode.GetInt64() != 0)
        {
            throw r.Error("code", $"TikTok answered {businessCode.GetRawText()}: {Message(report)}");
        }

        var videos = r.Array(r.Property(r.Property(report, "data", "$"), "videos", "data"), "data.videos");
        var reportDay = r.Day(day, "day");
        var result = new List<PlatformCounts>();
        var index = 0;
        foreach (var video in videos.EnumerateArray())
        {
            var path = $"data.videos[{index++}]";
            if (video.ValueKind != JsonValueKind.Object)
            {
                throw r.Error(path, "expected a video object");
            }

            var id = ReportReader.TryFirst(video, ["id", "item_id"], out var idValue, out var idName)
                ? r.Text(idValue, $"{path}.{idName}")
                : throw r.Error($"{path}.id", "missing");
            result.Add(Metrics.Read(r, id, reportDay, name => video.TryGetProperty(name, out var value) ? value : null, path));
        }

        return result;
    }

    private static string Message(JsonElement holder) =>
        holder.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String ? message.GetString()! : "(no message)";
}
