using System.Text.Json;

namespace ViraLoop.Contracts;

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
