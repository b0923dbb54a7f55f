using System.Text.Json;

namespace ViraLoop.Contracts;

/// <summary>
/// The body of <c>POST /v1/metrics</c>: engagement events a tenant reports itself (from its own player, or its own pull
/// of a platform). The tenant is the caller's; the endpoint answers <see cref="MetricsAccepted"/>.
/// </summary>
public sealed record MetricsBatchBody
{
    /// <summary>The events, in any order; late events are welcome (each counts on the day of its <see cref="MetricEventBody.At"/>).</summary>
    public List<MetricEventBody>? Events { get; init; }
}

/// <summary>One engagement event: one action of one viewer on one video.</summary>
public sealed record MetricEventBody
{
    /// <summary>
    /// The caller's unique id for this event, the idempotency key: sending an event with an id already kept (a retry, a
    /// re-delivery) is counted as a duplicate and changes nothing.
    /// </summary>
    public string? Id { get; init; }

    /// <summary>Our video id (as <c>POST /v1/videos</c> answered it); the video's experiment and arm are looked up from it.</summary>
    public string? VideoId { get; init; }

    /// <summary>
    /// What happened: <c>impression</c> (the video was shown), <c>click</c>, <c>view-started</c>, <c>completed</c> (watched
    /// to the end), <c>watch-time</c> (one viewing session; <see cref="Value"/> is its seconds), <c>like</c> or <c>share</c>.
    /// </summary>
    public string? Kind { get; init; }

    /// <summary>For <c>watch-time</c>, the seconds watched in the session (kept to the millisecond); ignored for the other kinds.</summary>
    public double? Value { get; init; }

    /// <summary>When it happened (not when it is sent); the event's UTC day is the day it counts for.</summary>
    public DateTimeOffset? At { get; init; }

    /// <summary>Where it happened: <c>youtube</c>, <c>tiktok</c>, <c>instagram</c>, or the tenant's own name for its player.</summary>
    public string? Platform { get; init; }
}

/// <summary>
/// The answer to <c>POST /v1/metrics</c>: how many events were new and kept, how many carried an id already kept, and how
/// many were refused (with the first few reasons, each naming the event's index and field).
/// </summary>
public sealed record MetricsAccepted(int Accepted, int Duplicates, int Rejected, IReadOnlyList<string>? Errors = null);

/// <summary>
/// The body of <c>POST /v1/metrics/{platform}</c>: a platform's own report, passed as the vendor returned it, which the
/// silo expands into engagement events with deterministic ids (so pulling and posting the same report again, or a later
/// cumulative one, only adds what is new).
/// </summary>
public sealed record PlatformReportBody
{
    /// <summary><c>youtube</c> (Analytics API v2 <c>reports.query</c>), <c>tiktok</c> (video list / query) or <c>instagram</c> (media insights); must match the route.</summary>
    public string? Platform { get; init; }

    /// <summary>Platform video id → our video id, for the videos of the report to import; rows for other videos are skipped.</summary>
    public Dictionary<string, string>? Videos { get; init; }

    /// <summary>
    /// The day (<c>yyyy-MM-dd</c>, UTC) the report counts for, when it has no day column of its own (TikTok's and
    /// Instagram's lifetime totals). Send the same day on every pull of a lifetime report (say the publish day), so that a
    /// re-pull only adds the growth.
    /// </summary>
    public string? Day { get; init; }

    /// <summary>The vendor's JSON response, unchanged.</summary>
    public JsonElement? Report { get; init; }
}
