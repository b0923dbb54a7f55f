using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Orleans.Runtime;
using Orleans.Streams;
using ViraLoop.Grains;
using ViraLoop.Grains.Messages;

namespace ViraLoop.Hosting;

/// <summary>How a submission went: the tenant's admission, and the job when one was made or replayed.</summary>
public sealed record Submission(Admission Admission, JobSnapshot? Job);

/// <summary>
/// What the HTTP API and the grain SDK both do with a tenant's jobs: submit through the tenant (idempotency, quotas, job
/// index), and follow a job's progress (its stream, what it still holds, and the job itself when the stream is quiet).
/// </summary>
public static class JobAccess
{
    /// <summary>How long a job's stream may be quiet before the job is asked directly for what it published since.</summary>
    public static readonly TimeSpan QuietPoll = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// How often the job is asked once a poll found events its stream had not delivered: the stream is lagging (a
    /// persistent stream may start delivering to a new subscription late), so the feed does not wait for it.
    /// </summary>
    public static readonly TimeSpan LaggingPoll = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Admits the order with the tenant, then submits it to a new job (<paramref name="jobId"/>) or, for a replayed
    /// idempotency key, to the job the key named. A refused admission comes back without a job; an order the job refuses
    /// throws <see cref="ArgumentException"/> after the admission is withdrawn.
    /// </summary>
    public static async Task<Submission> SubmitAsync(IGrainFactory grains, string tenant, string jobId, VideoOrder order, string? idempotencyKey)
    {
        var fingerprint = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(order))));
        var tenantGrain = grains.GetGrain<ITenantGrain>(tenant);
        var admission = await tenantGrain.Admit(new AdmissionRequest(jobId, idempotencyKey, fingerprint, order.DurationSeconds, DateTimeOffset.UtcNow));
        if (admission.Outcome is not (AdmissionOutcome.Admitted or AdmissionOutcome.Replayed)) return new Submission(admission, null);
        try
        {
            return new Submission(admission, await grains.GetGrain<IVideoJobGrain>(JobKeys.Of(tenant, admission.JobId)).Submit(order));
        }
        catch (ArgumentException) when (admission.Outcome == AdmissionOutcome.Admitted)
        {
            await tenantGrain.Withdraw(admission.JobId);
            throw;
        }
    }

    /// <summary>
    /// A job's feed: first its snapshot, then each event newer than <paramref name="after"/> once, in order, until the
    /// final one: the events the job still holds, then its stream's, and the job's own record whenever the stream is quiet
    /// for <see cref="QuietPoll"/> (a late stream never holds progress back). A job found final that way without its final
    /// event ends the feed with its snapshot again. Each item carries the newest sequence given so far. No such job:
    /// <see cref="KeyNotFoundException"/> on the first move.
    /// </summary>
    public static async IAsyncEnumerable<JobFeedItem> WatchAsync(IClusterClient cluster, string tenant, string id, long after,
        [EnumeratorCancellation] CancellationToken ct)
    {
        var key = JobKeys.Of(tenant, id);
        var job = cluster.GetGrain<IVideoJobGrain>(key);
        var live = Channel.CreateBounded<JobProgress>(new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest });
        var stream = cluster.GetStreamProvider(StreamNames.Provider).GetStream<JobProgress>(StreamId.Create(StreamNames.Jobs, key));
        Task OnNext(JobProgress e, StreamSequenceToken? _) { live.Writer.TryWrite(e); return Task.CompletedTask; }
        var subscription = await stream.SubscribeAsync(OnNext);
        var resubscribed = false;
        try
        {
            var replay = await job.GetEventsSince(after);
            var (snapshot, batch, polled) = (replay.Snapshot, replay.Events, false);
            var last = after;
            var quiet = QuietPoll;
            yield return new JobFeedItem(snapshot, null, Math.Max(after, batch.Count > 0 ? batch[^1].Sequence : after));
            while (true)
            {
                foreach (var e in batch)
                {
                    if (e.Sequence <= last) continue;
                    last = e.Sequence;
                    yield return new JobFeedItem(null, e, last);
                    if (e.Status.IsFinal()) yield break;
                }
                if (snapshot.Status.IsFinal())
                {
                    if (polled) yield return new JobFeedItem(snapshot, null, last);
                    yield break;
                }
                JobProgress? next = null;
                using (var wait = CancellationTokenSource.CreateLinkedTokenSource(ct))
                {
                    wait.CancelAfter(quiet);
                    try { next = await live.Reader.ReadAsync(wait.Token); }
                    catch (OperationCanceledException) when (!ct.IsCancellationRequested) { }
                }
                if (next is not null)
                {
                    (batch, polled) = ([next], false);
                    if (next.Sequence > last) quiet = QuietPoll; // the stream delivers
                    continue;
                }
                replay = await job.GetEventsSince(last);
                (snapshot, batch, polled) = (replay.Snapshot, replay.Events, true);
                if (batch.Any(e => e.Sequence > last))
                {
                    // The stream missed what the job published. A subscription made while the stream's first events were
                    // reaching its pulling agent can be left out of the agent's consumers; subscribing again (once)
                    // registers it anew. Until the stream delivers, the job is asked often.
                    quiet = LaggingPoll;
                    if (!resubscribed)
                    {
                        resubscribed = true;
                        var old = subscription;
                        subscription = await stream.SubscribeAsync(OnNext);
                        try { await old.UnsubscribeAsync(); } catch (Exception) { }
                    }
                }
            }
        }
        finally
        {
            try { await subscription.UnsubscribeAsync(); } catch (Exception) { }
        }
    }
}

/// <summary>One item of a job's feed: its snapshot, or one progress event; <see cref="Sequence"/> is the newest given so far.</summary>
public sealed record JobFeedItem(JobSnapshot? Snapshot, JobProgress? Event, long Sequence);
