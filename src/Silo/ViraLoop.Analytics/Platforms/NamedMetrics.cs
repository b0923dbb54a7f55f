using System.Text.Json;

namespace ViraLoop.Analytics.Platforms;

/// <summary>
/// Which named metrics of a vendor (TikTok's video fields, Instagram's insights) stand for which of our kinds. Each list is
/// tried in order: the first metric the report has wins (vendors renamed some, such as <c>plays</c> → <c>views</c>).
/// </summary>
internal sealed record NamedMetrics(
    string[] Views,
    string[] Impressions,
    string[] Likes,
    string[] Shares,
    string[] CompletionRate,
    string[] WatchTotal,
    string[] WatchAverage,
    double SecondsPerWatchUnit)
{
    /// <summary>
    /// One video's figures from its metrics (<paramref name="metric"/> answers a metric's value, or null when absent).
    /// Views are required; completions = round(views × completion rate); the watch total is the reported total, or the
    /// average × views, in <see cref="SecondsPerWatchUnit"/>.
    /// </summary>
    public PlatformCounts Read(ReportReader r, string videoId, DateOnly day, Func<string, JsonElement?> metric, string path)
    {
        (JsonElement Value, string Field)? First(string[] names)
        {
            foreach (var name in names)
            {
                if (metric(name) is { ValueKind: not JsonValueKind.Null } value)
                {
                    return (value, ReportReader.Join(path, name));
                }
            }

            return null;
        }

        long CountOf(string[] names) => First(names) is { } m ? r.Count(m.Value, m.Field) : 0;
        var views = First(Views) is { } v
            ? r.Count(v.Value, v.Field)
            : throw r.Error(ReportReader.Join(path, string.Join("|", Views)), "missing required metric");
        var completions = First(CompletionRate) is { } c ? ReportReader.Share(views, r.Rate(c.Value, c.Field)) : 0;
        var watchSeconds = First(WatchTotal) is { } total
            ? r.Amount(total.Value, total.Field) * SecondsPerWatchUnit
            : First(WatchAverage) is { } average ? r.Amount(average.Value, average.Field) * SecondsPerWatchUnit * views : 0;
        return new PlatformCounts(videoId, day, CountOf(Impressions), Clicks: 0, views, completions, CountOf(Likes), CountOf(Shares),
            ReportReader.Milliseconds(watchSeconds));
    }
}
