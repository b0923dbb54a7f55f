using System.Globalization;
using System.Text.Json;
using ViraLoop.Analytics;
using ViraLoop.Analytics.Platforms;
using ViraLoop.Api.Videos;
using ViraLoop.Contracts;
using ViraLoop.Grains;
using ViraLoop.Grains.Messages;

namespace ViraLoop.Api.Experiments;

/// <summary>
/// Checks a platform report (<c>POST /v1/metrics/{platform}</c>) and expands it into store records with the adapters'
/// deterministic ids, so a re-pulled report, or a later cumulative one for the same day, only adds what is new. The
/// platform → our video mapping must name the tenant's own videos; their experiment and arm come from their orders.
/// </summary>
public static class PlatformIngest
{
    /// <summary>At most this many videos mapped in one report.</summary>
    public const int MaxVideos = 1_000;

    /// <summary>At most this many events from one report (its counts summed); a bigger report is refused before it is expanded.</summary>
    public const long MaxEvents = 500_000;

    public sealed record Result(List<EngagementRecord>? Records, IReadOnlyList<string> Unmapped, List<string> Errors);

    public static async Task<Result> ToRecordsAsync(IGrainFactory grains, string tenant, string platform, PlatformReportBody body)
    {
        var errors = new List<string>();
        if (body.Platform is { } named && named != platform)
            errors.Add($"platform: the body says '{BodyReader.Printable(named, 32)}' but the route says '{platform}'; send the report to /v1/metrics/{{its platform}}.");
        DateOnly? day = null;
        if (body.Day is { } d)
        {
            if (DateOnly.TryParseExact(d, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed)) day = parsed;
            else errors.Add("day: a date as yyyy-MM-dd (UTC), e.g. the video's publish day.");
        }
        if (body.Report is not { ValueKind: JsonValueKind.Object } report)
        {
            errors.Add("report: the vendor's JSON response (an object), unchanged.");
            report = default;
        }

        var mapped = new Dictionary<string, PlatformVideo>(StringComparer.Ordinal);
        if (body.Videos is not { Count: > 0 and <= MaxVideos } videos)
        {
            errors.Add($"videos: map 1 to {MaxVideos:N0} platform video ids to our video ids.");
        }
        else
        {
            foreach (var (platformId, ourId) in videos)
            {
                var field = $"videos.{BodyReader.Printable(platformId, 40)}";
                if (platformId.Length is 0 or > 128 || platformId.Any(char.IsControl)) { errors.Add($"{field}: a platform video id of 1–128 characters."); continue; }
                if (ourId is null || !VideoIds.IsValid(ourId)) { errors.Add($"{field}: not one of our video ids."); continue; }
                try
                {
                    var snapshot = await grains.GetGrain<IVideoJobGrain>(JobKeys.Of(tenant, ourId)).GetSnapshot();
                    mapped[platformId] = new PlatformVideo(snapshot.JobId, snapshot.Experiment ?? "", snapshot.Arm ?? "");
                }
                catch (KeyNotFoundException)
                {
                    errors.Add($"{field}: no such video '{ourId}'.");
                }
            }
        }
        if (errors.Count > 0) return new Result(null, [], errors);

        var adapter = PlatformReports.For(platform);
        try
        {
            // Sized before it is expanded: one row's counts become that many events.
            var total = adapter.Read(report, day).Where(r => mapped.ContainsKey(r.PlatformVideoId))
                .Sum(r => r.Impressions + r.Clicks + 2 * r.Views + r.Completions + r.Likes + r.Shares);
            if (total > MaxEvents)
                return new Result(null, [], [$"report: it would make {total:N0} events, over {MaxEvents:N0}; send fewer videos or days per request."]);
            var import = adapter.Import(tenant, mapped, day, report);
            var records = import.Events.Select(e => new EngagementRecord(MetricIngest.StoredId(tenant, e.EventId), tenant, e.VideoId, e.ArmId,
                e.ExperimentId, e.Kind.Name(), e.Kind == EngagementKind.WatchTime ? e.Value : 0, e.Timestamp, e.Platform)).ToList();
            return new Result(records, import.UnmappedVideoIds, errors);
        }
        catch (PlatformReportException e)
        {
            return new Result(null, [], [$"report.{e.Field.TrimStart('$', '.')}: {e.Message}"]);
        }
    }
}
