using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Orleans.Runtime;
using Orleans.Streams;
using ViraLoop.Api.Videos;
using ViraLoop.Contracts;
using ViraLoop.Grains;
using ViraLoop.Grains.Messages;
using ViraLoop.Hosting;

namespace ViraLoop.Api.Live;

/// <summary>
/// A job's live feed for SSE and the hub, from the job's stream on whichever silo runs it: subscribe first, then the
/// snapshot and the events after the subscriber's last sequence that the job still holds, then live events, each one
/// newer than the last sent (a redelivered or replayed event is sent once). Ends after the job's final event.
/// </summary>
public sealed class JobEvents(IClusterClient cluster)
{
    /// <summary>How long the stream may be quiet before the job is asked directly.</summary>
    public static readonly TimeSpan QuietPoll = TimeSpan.FromSeconds(2);

    public async IAsyncEnumerable<LiveEvent> WatchAsync(string tenant, string id, long after, [EnumeratorCancellation] CancellationToken ct)
    {
        var key = JobKeys.Of(tenant, id);
        var job = cluster.GetGrain<IVideoJobGrain>(key);
        var live = Channel.CreateBounded<JobProgress>(new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest });
        var stream = cluster.GetStreamProvider(ProviderNames.Streams).GetStream<JobProgress>(StreamId.Create(StreamNames.Jobs, key));
        var subscription = await stream.SubscribeAsync((e, _) => { live.Writer.TryWrite(e); return Task.CompletedTask; });
        try
        {
            var replay = await job.GetEventsSince(after); // KeyNotFoundException: no such job (for this tenant)
            var snapshot = Views.Of(replay.Snapshot);
            var last = Math.Max(after, replay.Events.Count > 0 ? replay.Events[^1].Sequence : after);
            yield return new LiveEvent("snapshot", last, snapshot, null);
            foreach (var e in replay.Events)
            {
                yield return new LiveEvent("progress", e.Sequence, null, Views.Of(id, e));
                if (e.Status.IsFinal()) yield break;
            }
            if (replay.Snapshot.Status.IsFinal()) yield break;
            while (true)
            {
                JobProgress? e = null;
                using (var wait = CancellationTokenSource.CreateLinkedTokenSource(ct))
                {
                    // The stream gives events as they happen; when it is quiet for a moment, the job itself is asked for
                    // what it published since the last one sent, so a stalled or late stream never holds progress back.
                    wait.CancelAfter(QuietPoll);
                    try { e = await live.Reader.ReadAsync(wait.Token); }
                    catch (OperationCanceledException) when (!ct.IsCancellationRequested) { }
                }
                if (e is null)
                {
                    var caughtUp = await job.GetEventsSince(last);
                    foreach (var missed in caughtUp.Events)
                    {
                        last = missed.Sequence;
                        yield return new LiveEvent("progress", missed.Sequence, null, Views.Of(id, missed));
                        if (missed.Status.IsFinal()) yield break;
                    }
                    if (!caughtUp.Snapshot.Status.IsFinal()) continue;
                    yield return new LiveEvent("snapshot", last, Views.Of(caughtUp.Snapshot), null);
                    yield break;
                }
                if (e.Sequence <= last) continue;
                last = e.Sequence;
                yield return new LiveEvent("progress", e.Sequence, null, Views.Of(id, e));
                if (e.Status.IsFinal()) yield break;
            }
        }
        finally
        {
            try { await subscription.UnsubscribeAsync(); } catch (Exception) { }
        }
    }
}
