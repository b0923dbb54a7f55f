using System.Globalization;
using System.Text.Json;

namespace ViraLoop.Analytics.Platforms;

/// <summary>Which of our videos (and which experiment arm) a platform's video id stands for.</summary>
public sealed record PlatformVideo(string VideoId, string ExperimentId, string ArmId);

/// <summary>
/// A vendor report that cannot be read: malformed JSON, a missing required field or column, a negative count, a count over
/// <see cref="PlatformReports.MaxCountPerRow"/>, or a vendor error object. <see cref="Field"/> names the field (a JSON path).
/// </summary>
public sealed class PlatformReportException : FormatException
{
    public PlatformReportException(string platform, string field, string reason, Exception? inner = null)
        : base($"{platform} report, {field}: {reason}", inner)
    {
        Platform = platform;
        Field = field;
    }

    public string Platform { get; }

    public string Field { get; }
}

/// <summary>
/// One platform video's figures for one day, as a vendor aggregates them. <see cref="WatchMilliseconds"/> is the total
/// watch time of all <see cref="Views"/>.
/// </summary>
public sealed record PlatformCounts(
    string PlatformVideoId,
    DateOnly Day,
    long Impressions,
    long Clicks,
    long Views,
    long Completions,
    long Likes,
    long Shares,
    long WatchMilliseconds)
{
    internal PlatformCounts Plus(PlatformCounts other) => this with
    {
        Impressions = Impressions + other.Impressions,
        Clicks = Clicks + other.Clicks,
        Views = Views + other.Views,
        Completions = Completions + other.Completions,
        Likes = Likes + other.Likes,
        Shares = Shares + other.Shares,
        WatchMilliseconds = WatchMilliseconds + other.WatchMilliseconds,
    };
}

/// <summary>What an import made of a report: the events, and the platform video ids the mapping did not know (skipped).</summary>
public sealed record PlatformImport(IReadOnlyList<EngagementEvent> Events, IReadOnlyList<string> UnmappedVideoIds);

/// <summary>Reads one vendor's report into per video, per day figures.</summary>
public interface IPlatformAdapter
{
    /// <summary>The platform name our events carry: <c>youtube</c>, <c>tiktok</c> or <c>instagram</c>.</summary>
    string Platform { get; }

    /// <summary>
    /// The report's figures. <paramref name="day"/> is the day they count for when the report has no day of its own (a
    /// lifetime report); a report's own day column wins. Throws <see cref="PlatformReportException"/> when it cannot be read.
    /// </summary>
    IReadOnlyList<PlatformCounts> Read(JsonElement report, DateOnly? day);
}

/// <summary>
/// Turns vendor aggregates into our per-action events. Each count expands to that many events whose ids are
/// <c>{platform}:{platformVideoId}:{yyyy-MM-dd}:{kind}:{ordinal}</c> (ordinal from 0), so pulling the same report again
/// makes the same ids, and a later, larger cumulative report (for the same day) makes the same ids for what was counted
/// before plus new ids for the growth: the stores' idempotency by id does the rest. For a lifetime report, pass the same
/// day on every pull (say the video's publish day), or each pull counts everything again.
/// <para>
/// Watch time: one watch-time event per view, so sessions and views agree. The report's total is rounded to whole
/// milliseconds (half away from zero) and spread as evenly as whole milliseconds allow: every event gets total ÷ views
/// (integer division) and the first total mod views ordinals one millisecond more, so the events add up to the total
/// exactly. Growth in a re-pulled report only adds events for new views, each carrying the new report's share: the
/// sessions already stored keep their earlier value, so after growth the stored total is close to the report's, not equal.
/// A report with watch time but no views gives no watch-time events.
/// </para>
/// Every event is stamped at 00:00 UTC of its day. Rows for the same video and day (a report with an extra dimension, such
/// as country) are added together.
/// </summary>
public static class PlatformReports
{
    /// <summary>No single count in one row may exceed this: a row is expanded into that many events.</summary>
    public const long MaxCountPerRow = 1_000_000;

    public static IReadOnlyList<string> Platforms { get; } = ["youtube", "tiktok", "instagram"];

    /// <summary>The adapter for a platform name (see <see cref="Platforms"/>); <see cref="ArgumentException"/> for another.</summary>
    public static IPlatformAdapter For(string platform) => platform switch
    {
        "youtube" => new YouTubeAdapter(),
        "tiktok" => new TikTokAdapter(),
        "instagram" => new InstagramAdapter(),
        _ => throw new ArgumentException($"unknown platform '{platform}': expected one of {string.Join(", ", Platforms)}", nameof(platform)),
    };

    /// <summary>Parses <paramref name="json"/> (malformed JSON is a <see cref="PlatformReportException"/>) and imports it.</summary>
    public static PlatformImport Import(this IPlatformAdapter adapter, string tenant, IReadOnlyDictionary<string, PlatformVideo> videos,
        DateOnly? day, string json)
    {
        ArgumentNullException.ThrowIfNull(adapter);
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new PlatformReportException(adapter.Platform, "$", $"not JSON ({e.Message})", e);
        }

        using (document)
        {
            return adapter.Import(tenant, videos, day, document.RootElement);
        }
    }

    /// <summary>The events of a report for the videos in <paramref name="videos"/> (platform video id → ours).</summary>
    public static PlatformImport Import(this IPlatformAdapter adapter, string tenant, IReadOnlyDictionary<string, PlatformVideo> videos,
        DateOnly? day, JsonElement report)
    {
        ArgumentNullException.ThrowIfNull(adapter);
        ArgumentException.ThrowIfNullOrEmpty(tenant);
        ArgumentNullException.ThrowIfNull(videos);
        var rows = new Dictionary<(string Video, DateOnly Day), PlatformCounts>();
        foreach (var row in adapter.Read(report, day))
        {
            var key = (row.PlatformVideoId, row.Day);
            rows[key] = rows.TryGetValue(key, out var seen) ? seen.Plus(row) : row;
        }

        var events = new List<EngagementEvent>();
        var unmapped = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var row in rows.Values.OrderBy(r => r.PlatformVideoId, StringComparer.Ordinal).ThenBy(r => r.Day))
        {
            if (!videos.TryGetValue(row.PlatformVideoId, out var video))
            {
                unmapped.Add(row.PlatformVideoId);
                continue;
            }

            Expand(adapter.Platform, tenant, video, row, events);
        }

        return new PlatformImport(events, unmapped.ToArray());
    }

    private static void Expand(string platform, string tenant, PlatformVideo video, PlatformCounts row, List<EngagementEvent> events)
    {
        var at = new DateTimeOffset(row.Day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var prefix = $"{platform}:{row.PlatformVideoId}:{row.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}:";
        void Add(EngagementKind kind, long count, Func<long, double> value)
        {
            for (long i = 0; i < count; i++)
            {
                events.Add(new EngagementEvent(prefix + kind.Name() + ":" + i.ToString(CultureInfo.InvariantCulture), tenant, video.VideoId,
                    video.ArmId, video.ExperimentId, kind, value(i), at, platform));
            }
        }

        Add(EngagementKind.Impression, row.Impressions, _ => 1);
        Add(EngagementKind.Click, row.Clicks, _ => 1);
        Add(EngagementKind.ViewStarted, row.Views, _ => 1);
        Add(EngagementKind.Completed, row.Completions, _ => 1);
        if (row.Views > 0 && row.WatchMilliseconds > 0)
        {
            var each = row.WatchMilliseconds / row.Views;
            var extra = row.WatchMilliseconds % row.Views;
            Add(EngagementKind.WatchTime, row.Views, i => (each + (i < extra ? 1 : 0)) / 1000.0);
        }

        Add(EngagementKind.Like, row.Likes, _ => 1);
        Add(EngagementKind.Share, row.Shares, _ => 1);
    }
}

/// <summary>The vendor-independent reading of JSON values: numbers, counts, rates, with errors that name the field.</summary>
internal readonly struct ReportReader(string platform)
{
    public string Platform => platform;

    public PlatformReportException Error(string field, string reason) => new(platform, field, reason);

    /// <summary>A JSON number, or a string holding one (some vendors quote numbers); null for a JSON null.</summary>
    public double? Number(JsonElement value, string field)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.Number:
                return CheckFinite(value.GetDouble(), field);
            case JsonValueKind.String when double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed):
                return CheckFinite(parsed, field);
            default:
                throw Error(field, $"expected a number, got {Describe(value)}");
        }
    }

    /// <summary>A whole, non-negative count no larger than <see cref="PlatformReports.MaxCountPerRow"/>; 0 for a JSON null.</summary>
    public long Count(JsonElement value, string field) => Count(Number(value, field) ?? 0, field);

    public long Count(double number, string field)
    {
        if (number < 0)
        {
            throw Error(field, $"negative count {number.ToString(CultureInfo.InvariantCulture)}");
        }

        if (number != Math.Floor(number))
        {
            throw Error(field, $"count {number.ToString(CultureInfo.InvariantCulture)} is not a whole number");
        }

        if (number > PlatformReports.MaxCountPerRow)
        {
            throw Error(field, $"count {number.ToString(CultureInfo.InvariantCulture)} is over {PlatformReports.MaxCountPerRow} events for one row; refusing to expand it");
        }

        return (long)number;
    }

    /// <summary>A fraction in [0, 1]; 0 for a JSON null.</summary>
    public double Rate(JsonElement value, string field)
    {
        var rate = Number(value, field) ?? 0;
        if (rate is < 0 or > 1)
        {
            throw Error(field, $"rate {rate.ToString(CultureInfo.InvariantCulture)} is outside 0..1");
        }

        return rate;
    }

    /// <summary>A non-negative amount (seconds, minutes, milliseconds); 0 for a JSON null.</summary>
    public double Amount(JsonElement value, string field)
    {
        var amount = Number(value, field) ?? 0;
        if (amount < 0)
        {
            throw Error(field, $"negative amount {amount.ToString(CultureInfo.InvariantCulture)}");
        }

        return amount;
    }

    /// <summary><paramref name="rate"/> of <paramref name="count"/>, rounded half away from zero.</summary>
    public static long Share(long count, double rate) => (long)Math.Round(count * rate, MidpointRounding.AwayFromZero);

    /// <summary>Seconds to whole milliseconds, half away from zero (as the stores round).</summary>
    public static long Milliseconds(double seconds) => (long)Math.Round(seconds * 1000, MidpointRounding.AwayFromZero);

    public string Text(JsonElement value, string field) =>
        value.ValueKind switch
        {
            JsonValueKind.String when !string.IsNullOrEmpty(value.GetString()) => value.GetString()!,
            JsonValueKind.Number => value.GetRawText(),
            _ => throw Error(field, $"expected a non-empty string, got {Describe(value)}"),
        };

    public JsonElement Property(JsonElement parent, string name, string path)
    {
        if (parent.ValueKind != JsonValueKind.Object)
        {
            throw Error(path, $"expected an object, got {Describe(parent)}");
        }

        return parent.TryGetProperty(name, out var value) ? value : throw Error(Join(path, name), "missing");
    }

    public JsonElement Array(JsonElement value, string field) =>
        value.ValueKind == JsonValueKind.Array ? value : throw Error(field, $"expected an array, got {Describe(value)}");

    /// <summary>The first of <paramref name="names"/> that <paramref name="parent"/> has (vendors renamed some fields).</summary>
    public static bool TryFirst(JsonElement parent, IEnumerable<string> names, out JsonElement value, out string name)
    {
        foreach (var candidate in names)
        {
            if (parent.TryGetProperty(candidate, out value) && value.ValueKind != JsonValueKind.Null)
            {
                name = candidate;
                return true;
            }
        }

        value = default;
        name = string.Empty;
        return false;
    }

    public DateOnly Day(DateOnly? day, string field) =>
        day ?? throw Error(field, "the report has no day of its own: pass the day it counts for");

    public DateOnly ParseDay(JsonElement value, string field)
    {
        var text = Text(value, field);
        return DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? day
            : throw Error(field, $"'{text}' is not a yyyy-MM-dd day");
    }

    public static string Join(string path, string name) => path == "$" ? name : path + "." + name;

    private double CheckFinite(double number, string field) =>
        double.IsFinite(number) ? number : throw Error(field, "not a finite number");

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"the string \"{value.GetString()}\"",
        JsonValueKind.Undefined => "nothing",
        _ => value.ValueKind.ToString().ToLowerInvariant(),
    };
}
