using System.Runtime.CompilerServices;
using ViraLoop.Api.Videos;
using ViraLoop.Contracts;
using ViraLoop.Hosting;

namespace ViraLoop.Api.Live;

/// <summary>
/// A job's live feed for SSE and the hub (<see cref="JobAccess.WatchAsync"/>), as the API shows it: <c>snapshot</c>
/// first, then <c>progress</c> events in order; ends after the job's final event.
/// </summary>
public sealed class JobEvents(IClusterClient cluster)
{
    public async IAsyncEnumerable<LiveEvent> WatchAsync(string tenant, string id, long after, [EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var item in JobAccess.WatchAsync(cluster, tenant, id, after, ct))
            yield return item.Event is { } e
                ? new LiveEvent("progress", e.Sequence, null, Views.Of(id, e))
                : new LiveEvent("snapshot", item.Sequence, Views.Of(item.Snapshot!), null);
    }
}
