using System.Globalization;

namespace ViraLoop.Analytics;

/// <summary>What a viewer did. The wire names (<see cref="EngagementKinds.Name"/>) are what both stores keep.</summary>
public enum EngagementKind
{
    Impression = 1,
    Click = 2,
    ViewStarted = 3,
    Completed = 4,
    /// <summary>Seconds watched in one session: <see cref="EngagementEvent.Value"/>.</summary>
    WatchTime = 5,
    Like = 6,
    Share = 7,
}

public static class EngagementKinds
{
    public static string Name(this EngagementKind kind) => kind switch
    {
        EngagementKind.Impression => "impression",
        EngagementKind.Click => "click",
        EngagementKind.ViewStarted => "view-started",
        EngagementKind.Completed => "completed",
        EngagementKind.WatchTime => "watch-time",
        EngagementKind.Like => "like",
        EngagementKind.Share => "share",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown engagement kind"),
    };

    public static EngagementKind Parse(string name) => name switch
    {
        "impression" => EngagementKind.Impression,
        "click" => EngagementKind.Click,
        "view-started" => EngagementKind.ViewStarted,
        "completed" => EngagementKind.Completed,
        "watch-time" => EngagementKind.WatchTime,
        "like" => EngagementKind.Like,
        "share" => EngagementKind.Share,
        _ => throw new FormatException($"unknown engagement kind '{name}'"),
    };

    /// <summary>The ClickHouse Enum8 definition, from the same table as <see cref="Name"/>.</summary>
    internal static string ClickHouseEnum() =>
        "Enum8(" + string.Join(", ", Enum.GetValues<EngagementKind>().Select(k => $"'{k.Name()}' = {(int)k}")) + ")";
}

/// <summary>
/// One engagement event from a platform. <see cref="EventId"/> is the idempotency key: appending the same id again
/// (a platform re-delivery, a retried request) is ignored by both stores. <see cref="Timestamp"/> is when it happened
/// (not when it arrived): late and out-of-order events land in the day they happened (UTC), to the millisecond.
/// </summary>
public sealed record EngagementEvent(
    string EventId,
    string Tenant,
    string VideoId,
    string ArmId,
    string ExperimentId,
    EngagementKind Kind,
    double Value,
    DateTimeOffset Timestamp,
    string Platform)
{
    public static readonly DateTimeOffset MinTimestamp = new(1971, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset MaxTimestamp = new(2105, 12, 31, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Watch time in whole milliseconds (rounded half away from zero): what the aggregates add up, in both stores.</summary>
    public long ValueMilliseconds => Kind == EngagementKind.WatchTime ? (long)Math.Round(Value * 1000, MidpointRounding.AwayFromZero) : 0;

    /// <summary>The timestamp truncated to the millisecond, in UTC: what the stores keep.</summary>
    public DateTimeOffset StoredTimestamp => DateTimeOffset.FromUnixTimeMilliseconds(Timestamp.ToUnixTimeMilliseconds());

    /// <summary>Throws <see cref="ArgumentException"/> with the field and reason when the event cannot be stored as is.</summary>
    /// <summary>Checks a whole batch before any of it is kept: a null or invalid event refuses the batch.</summary>
    public static void ValidateBatch(IReadOnlyList<EngagementEvent> batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        foreach (var e in batch)
        {
            ArgumentNullException.ThrowIfNull(e, nameof(batch));
            e.Validate();
        }
    }

    public void Validate()
    {
        if (string.IsNullOrEmpty(EventId))
        {
            throw new ArgumentException("An engagement event needs an event id.", nameof(EventId));
        }

        CheckText(EventId, nameof(EventId));
        CheckText(Tenant, nameof(Tenant));
        CheckText(VideoId, nameof(VideoId));
        CheckText(ArmId, nameof(ArmId));
        CheckText(ExperimentId, nameof(ExperimentId));
        CheckText(Platform, nameof(Platform));
        if (!Enum.IsDefined(Kind))
        {
            throw new ArgumentException($"Event {EventId}: unknown kind {(int)Kind}.", nameof(Kind));
        }

        if (double.IsNaN(Value) || double.IsInfinity(Value) || Math.Abs(Value) > 1e12)
        {
            throw new ArgumentException($"Event {EventId}: value {Value.ToString(CultureInfo.InvariantCulture)} is not a finite number below 1e12.", nameof(Value));
        }

        if (Timestamp < MinTimestamp || Timestamp >= MaxTimestamp)
        {
            throw new ArgumentException($"Event {EventId}: timestamp {Timestamp:O} is outside {MinTimestamp:yyyy-MM-dd}..{MaxTimestamp:yyyy-MM-dd}.", nameof(Timestamp));
        }
    }

    private void CheckText(string? value, string field)
    {
        if (value is null)
        {
            throw new ArgumentException($"Event {EventId}: {field} is null.", field);
        }

        // Both stores keep UTF-8 (ClickHouse) or UTF-16 (SQLite) text exactly; a lone surrogate cannot survive UTF-8.
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                throw new ArgumentException($"Event {EventId}: {field} has a lone UTF-16 surrogate at {i}.", field);
            }
        }

        if (value.Length > 4096)
        {
            throw new ArgumentException($"Event {EventId}: {field} is longer than 4096 characters.", field);
        }
    }
}

/// <summary>One arm's engagement on one UTC day of an experiment.</summary>
public sealed record ArmDay(
    string ArmId,
    DateOnly Day,
    long Events,
    long Impressions,
    long Clicks,
    long ViewsStarted,
    long Completions,
    long WatchSessions,
    long WatchMilliseconds)
{
    public double WatchSeconds => WatchMilliseconds / 1000.0;

    /// <summary>Mean seconds per watch-time event (one per viewing session); 0 without any.</summary>
    public double MeanWatchSeconds => WatchSessions == 0 ? 0 : WatchMilliseconds / 1000.0 / WatchSessions;
}

/// <summary>All of one video's engagement.</summary>
public sealed record VideoTotals(
    string VideoId,
    long Events,
    long Impressions,
    long Clicks,
    long ViewsStarted,
    long Completions,
    long WatchSessions,
    long WatchMilliseconds)
{
    public double WatchSeconds => WatchMilliseconds / 1000.0;
    public double MeanWatchSeconds => WatchSessions == 0 ? 0 : WatchMilliseconds / 1000.0 / WatchSessions;
}

/// <summary>
/// The analytics port: engagement events in, aggregates out. <see cref="ClickHouseStore"/> when ClickHouse is configured,
/// <see cref="EmbeddedStore"/> (SQLite) otherwise; both answer every query identically (lists in ordinal order).
/// </summary>
public interface IEngagementStore : IAsyncDisposable
{
    /// <summary>
    /// Appends a batch. Idempotent by event id (an id seen before, in this batch or any earlier one, is ignored); events may
    /// come late and in any order. A store may buffer: <see cref="FlushAsync"/> waits until everything appended is durable.
    /// </summary>
    Task AppendAsync(IReadOnlyList<EngagementEvent> batch, CancellationToken cancellationToken = default);

    /// <summary>Waits until every event appended before the call is durable and visible to the queries.</summary>
    Task FlushAsync(CancellationToken cancellationToken = default);

    /// <summary>Per arm per UTC day for one experiment, ordered by arm id (ordinal) then day; optional inclusive day range.</summary>
    Task<IReadOnlyList<ArmDay>> GetArmDailyAsync(string tenant, string experimentId, DateOnly? from = null, DateOnly? to = null,
        CancellationToken cancellationToken = default);

    /// <summary>Totals per video of one tenant, ordered by video id (ordinal).</summary>
    Task<IReadOnlyList<VideoTotals>> GetVideoTotalsAsync(string tenant, CancellationToken cancellationToken = default);

    /// <summary>How many stored events carry this id (0 or 1 when idempotency holds). For tests and audits.</summary>
    Task<long> CountEventAsync(string eventId, CancellationToken cancellationToken = default);

    /// <summary>The stored event with this id, as stored (timestamp to the millisecond, UTC), or null.</summary>
    Task<EngagementEvent?> GetEventAsync(string eventId, CancellationToken cancellationToken = default);
}
