using System.Text.RegularExpressions;
using ViraLoop.Analytics;
using ViraLoop.Contracts;
using ViraLoop.Grains;
using ViraLoop.Grains.Messages;

namespace ViraLoop.Api.Experiments;

/// <summary>
/// Checks a metrics batch and turns it into store records: every event is checked before any is kept (one bad event
/// refuses the batch, with every fault named by index), each video must be one of the tenant's, and the experiment and
/// arm an event is credited to come from the video's own order. Stored ids are prefixed with the tenant, so two tenants
/// that use the same event id never shadow each other.
/// </summary>
public static partial class MetricIngest
{
    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,31}$")]
    private static partial Regex PlatformPattern();

    public static string StoredId(string tenant, string id) => $"{tenant}:{id}";

    public static async Task<(List<EngagementRecord>? Records, List<string> Errors)> ToRecordsAsync(IGrainFactory grains, string tenant, MetricsBatchBody body, DateTimeOffset now)
    {
        var errors = new List<string>();
        var events = body.Events;
        if (events is null || events.Count == 0) return (null, ["events: give 1 to 10,000 events."]);
        if (events.Count > ExperimentEndpoints.MaxBatch) return (null, [$"events: at most {ExperimentEndpoints.MaxBatch:N0} in one request; split the batch."]);

        var videos = new Dictionary<string, JobSnapshot?>(StringComparer.Ordinal);
        foreach (var videoId in events.Select(e => e?.VideoId).OfType<string>().Where(VideoIds.IsValid).Distinct(StringComparer.Ordinal))
        {
            try
            {
                videos[videoId] = await grains.GetGrain<IVideoJobGrain>(JobKeys.Of(tenant, videoId)).GetSnapshot();
            }
            catch (KeyNotFoundException)
            {
                videos[videoId] = null;
            }
        }

        var records = new List<EngagementRecord>(events.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            var at = $"events[{i}]";
            if (e is null) { errors.Add($"{at}: an event must be an object."); continue; }
            var before = errors.Count;
            if (e.Id is not { Length: > 0 and <= 128 } id || id.Any(c => c is < '!' or > '~')) { errors.Add($"{at}.id: 1–128 printable ASCII characters without spaces."); id = ""; }
            EngagementKind kind = default;
            try { kind = EngagementKinds.Parse(e.Kind ?? ""); }
            catch (FormatException) { errors.Add($"{at}.kind: one of {string.Join(", ", Enum.GetValues<EngagementKind>().Select(k => k.Name()))}."); }
            var value = e.Value ?? 0;
            if (kind == EngagementKind.WatchTime)
            {
                if (e.Value is not { } v || !double.IsFinite(v) || v is < 0 or > 86_400) errors.Add($"{at}.value: watch-time needs the seconds watched, 0–86,400.");
            }
            else if (e.Value is not null && e.Value != 0) errors.Add($"{at}.value: only watch-time events carry a value.");
            var when = e.At ?? now;
            if (when < EngagementEvent.MinTimestamp || when > now.AddDays(1)) errors.Add($"{at}.at: not before 1971 nor more than a day ahead.");
            var platform = e.Platform ?? "api";
            if (!PlatformPattern().IsMatch(platform)) errors.Add($"{at}.platform: 1–32 of a–z, 0–9 and '-'.");
            JobSnapshot? video = null;
            if (e.VideoId is null || !videos.TryGetValue(e.VideoId, out video) || video is null) errors.Add($"{at}.videoId: no such video.");
            if (errors.Count > before) continue;
            if (!seen.Add(id)) continue; // the same event twice in one batch: the first stands, as across batches
            records.Add(new EngagementRecord(StoredId(tenant, id), tenant, video!.JobId, video.Arm ?? "", video.Experiment ?? "",
                kind.Name(), kind == EngagementKind.WatchTime ? value : 0, when.ToUniversalTime(), platform));
        }
        return errors.Count > 0 ? (null, errors) : (records, errors);
    }
}
