using System.Text.Json;

namespace ViraLoop.Analytics.Platforms;

/// <summary>
/// YouTube Analytics API v2 <c>reports.query</c> (<c>kind: youtubeAnalytics#resultTable</c>): <c>columnHeaders</c> name the
/// columns (dimensions first, then metrics, in the request's order), <c>rows</c> hold the cells in that order and are left
/// out when there is no data. Columns are found by name, never by position.
/// <list type="bullet">
/// <item><c>video</c> (dimension, required): the platform video id; <c>day</c> (dimension, optional): the row's day, else the caller's.</item>
/// <item><c>views</c> (required) → view-started; <c>likes</c> → like; <c>shares</c> → share.</item>
/// <item><c>videoThumbnailImpressions</c> → impression; with <c>videoThumbnailImpressionsClickRate</c> (a fraction: clicks ÷
/// impressions) → click = round(impressions × rate).</item>
/// <item><c>estimatedMinutesWatched</c> × 60 is the watch total; without it, <c>averageViewDuration</c> (seconds) × views.</item>
/// </list>
/// YouTube reports no completions here (no completed events). Other columns (dimensions such as <c>country</c> add up; metrics
/// are ignored).
/// </summary>
public sealed class YouTubeAdapter : IPlatformAdapter
{
    public string Platform => "youtube";

    public IReadOnlyList<PlatformCounts> Read(JsonElement report, DateOnly? day)
    {
        var r = new ReportReader(Platform);
        if (report.ValueKind != JsonValueKind.Object)
        {
            throw r.Error("$", "expected the resultTable object");
        }

        if (report.TryGetProperty("kind", out var kind) && kind.GetString() is { } k && k != "youtubeAnalytics#resultTable")
        {
            throw r.Error("kind", $"'{k}' is not youtubeAnalytics#resultTable");
        }

        var headers = r.Array(r.Property(report, "columnHeaders", "$"), "columnHeaders");
        var columns = new Dictionary<string, int>(StringComparer.Ordinal);
        var index = 0;
        foreach (var header in headers.EnumerateArray())
        {
            var name = r.Text(r.Property(header, "name", $"columnHeaders[{index}]"), $"columnHeaders[{index}].name");
            columns.TryAdd(name, index);
            index++;
        }

        int Required(string name) => columns.TryGetValue(name, out var at) ? at : throw r.Error($"columnHeaders[{name}]", "missing required column");
        int? Optional(string name) => columns.TryGetValue(name, out var at) ? at : null;
        var video = Required("video");
        var views = Required("views");
        var dayColumn = Optional("day");
        var impressions = Optional("videoThumbnailImpressions");
        var clickRate = Optional("videoThumbnailImpressionsClickRate");
        var minutes = Optional("estimatedMinutesWatched");
        var average = Optional("averageViewDuration");
        var likes = Optional("likes");
        var shares = Optional("shares");
        if (dayColumn is null)
        {
            r.Day(day, "columnHeaders[day]");
        }

        var result = new List<PlatformCounts>();
        if (!report.TryGetProperty("rows", out var rows) || rows.ValueKind == JsonValueKind.Null)
        {
            return result;
        }

        var rowIndex = 0;
        foreach (var row in r.Array(rows, "rows").EnumerateArray())
        {
            var path = $"rows[{rowIndex++}]";
            if (r.Array(row, path).GetArrayLength() != headers.GetArrayLength())
            {
                throw r.Error(path, $"has {row.GetArrayLength()} cells for {headers.GetArrayLength()} columns");
            }

            JsonElement Cell(int at) => row[at];
            string Field(string column) => $"{path}.{column}";
            long CountOf(int? at, string column) => at is { } i ? r.Count(Cell(i), Field(column)) : 0;
            var viewCount = r.Count(Cell(views), Field("views"));
            var impressionCount = CountOf(impressions, "videoThumbnailImpressions");
            var clicks = clickRate is { } c ? ReportReader.Share(impressionCount, r.Rate(Cell(c), Field("videoThumbnailImpressionsClickRate"))) : 0;
            var watchSeconds = minutes is { } m
                ? r.Amount(Cell(m), Field("estimatedMinutesWatched")) * 60
                : average is { } a ? r.Amount(Cell(a), Field("averageViewDuration")) * viewCount : 0;
            result.Add(new PlatformCounts(
                r.Text(Cell(video), Field("video")),
                dayColumn is { } d ? r.ParseDay(Cell(d), Field("day")) : day!.Value,
                impressionCount,
                clicks,
                viewCount,
                Completions: 0,
                CountOf(likes, "likes"),
                CountOf(shares, "shares"),
                ReportReader.Milliseconds(watchSeconds)));
        }

        return result;
    }
}
