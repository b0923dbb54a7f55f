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
/// index), and follow a job's progress (its stream, and a long poll of the job itself, whichever delivers first).
/// </summary>
public static class JobAccess
{
    /// <summary>How long one long poll of the job (<see cref="IVideoJobGrain.WaitForEventsSince"/>) may wait for an event.</summary>
    public static readonly TimeSpan LongPoll = TimeSpan.FromSeconds(5);

    /// <summary>Pause before asking the job again after a call failed (its silo died; it is coming back elsewhere).</summary>
    public static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(200);

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
    /// The tenant's videos most like the job <paramref name="id"/> by their DNA, most similar first, at most
    /// <paramref name="k"/> (1–<see cref="DnaLimits.MaxSimilar"/>, else <see cref="ArgumentException"/>). No such job of the
    /// tenant: <see cref="KeyNotFoundException"/>; a job without DNA (not finished): <see cref="InvalidOperationException"/>
    /// saying why. Only the tenant's own index is asked, so another tenant's video can never be named.
    /// </summary>
    public static async Task<IReadOnlyList<DnaNeighbour>> SimilarAsync(IGrainFactory grains, string tenant, string id, int k)
    {
        if (k is < 1 or > DnaLimits.MaxSimilar) throw new ArgumentException($"k: a whole number from 1 to {DnaLimits.MaxSimilar}; got {k}.");
        var job = await grains.GetGrain<IVideoJobGrain>(JobKeys.Of(tenant, id)).GetSnapshot();
        return await grains.GetGrain<IVideoDnaGrain>(tenant).FindSimilar(id, k) ?? throw new InvalidOperationException(job.Status == JobStatus.Completed
            ? "The video has no DNA (it could not be computed when it was packaged), so it cannot be compared with others."
            : $"The video has no DNA yet: it is {job.Status.Name()}, and its DNA is computed when it is packaged. Ask again once it is completed.");
    }

    /// <summary>
    /// A page of the tenant's jobs, newest first, from <paramref name="offset"/> in its job index: the jobs in
    /// <paramref name="status"/> (null: all) until <paramref name="limit"/> are found or <paramref name="maxScanned"/>
    /// index entries were looked at. <see cref="JobListPage.NextOffset"/> is where the next page starts (null at the end).
    /// </summary>
    public static async Task<JobListPage> ListAsync(IGrainFactory grains, string tenant, JobStatus? status, int limit, int offset, int maxScanned = 1000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var tenantGrain = grains.GetGrain<ITenantGrain>(tenant);
        var jobs = new List<JobSnapshot>();
        var scanned = 0;
        int total;
        while (true)
        {
            var page = await tenantGrain.ListJobs(offset, 100);
            total = page.Total;
            var consumed = 0;
            foreach (var entry in page.Jobs)
            {
                consumed++;
                JobSnapshot s;
                try { s = await grains.GetGrain<IVideoJobGrain>(JobKeys.Of(tenant, entry.JobId)).GetSnapshot(); }
                catch (KeyNotFoundException) { continue; }
                if (status is null || s.Status == status) jobs.Add(s);
                if (jobs.Count == limit) break;
            }
            offset += consumed;
            scanned += consumed;
            if (jobs.Count == limit || page.Jobs.Count < 100 || scanned >= maxScanned) break;
        }
        return new JobListPage(jobs, offset < total ? offset : null, total);
    }

    /// <summary>
    /// A job's feed: first its snapshot, then each event newer than <paramref name="after"/> once, in order, until the
    /// final one. Two paths deliver, whichever is first: the job's Orleans stream, and a long poll of the job grain
    /// (<see cref="IVideoJobGrain.WaitForEventsSince"/>, answered as soon as the job publishes, wherever it runs). The
    /// poll is there because a persistent stream can leave a new subscription without deliveries for a stream's whole
    /// life (measured: about one job in twenty across silos); with it no event waits for the stream. A job found final
    /// without its final event ends the feed with its snapshot again. Each item carries the newest sequence given so
    /// far. No such job: <see cref="KeyNotFoundException"/> on the first move.
    /// </summary>
    public static async IAsyncEnumerable<JobFeedItem> WatchAsync(IClusterClient cluster, string tenant, string id, long after,
        [EnumeratorCancellation] CancellationToken ct)
    {
        var key = JobKeys.Of(tenant, id);
        var job = cluster.GetGrain<IVideoJobGrain>(key);
        var live = Channel.CreateBounded<JobProgress>(new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest });
        var stream = cluster.GetStreamProvider(StreamNames.Provider).GetStream<JobProgress>(StreamId.Create(StreamNames.Jobs, key));
        var subscription = await stream.SubscribeAsync((e, _) => { live.Writer.TryWrite(e); return Task.CompletedTask; });
        Task<JobReplay>? poll = null;
        Task<bool>? readable = null;
        try
        {
            var replay = await job.GetEventsSince(after);
            var (snapshot, batch, polled) = (replay.Snapshot, replay.Events, false);
            var last = after;
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
                ct.ThrowIfCancellationRequested();
                if (live.Reader.TryRead(out var next))
                {
                    (batch, polled) = ([next], false);
                    continue;
                }
                poll ??= job.WaitForEventsSince(last, LongPoll);
                readable ??= live.Reader.WaitToReadAsync(ct).AsTask();
                if (await Task.WhenAny(readable, poll) == readable)
                {
                    readable = null;
                    (batch, polled) = ([], false);
                    continue;
                }
                var answered = poll;
                poll = null;
                try
                {
                    replay = await answered;
                }
                catch (Exception e) when (e is not KeyNotFoundException && !ct.IsCancellationRequested)
                {
                    // The job's silo went away mid-call; the job comes back elsewhere and is asked again.
                    await Task.Delay(RetryPause, ct);
                    (batch, polled) = ([], false);
                    continue;
                }
                (snapshot, batch, polled) = (replay.Snapshot, replay.Events, true);
            }
        }
        finally
        {
            try { await subscription.UnsubscribeAsync(); } catch (Exception) { }
            if (poll is not null) _ = poll.ContinueWith(t => _ = t.Exception, TaskScheduler.Default); // observed, not awaited
        }
    }
}

/// <summary>A page of a tenant's jobs (<see cref="JobAccess.ListAsync"/>).</summary>
public sealed record JobListPage(IReadOnlyList<JobSnapshot> Jobs, int? NextOffset, int Total);

/// <summary>One item of a job's feed: its snapshot, or one progress event; <see cref="Sequence"/> is the newest given so far.</summary>
public sealed record JobFeedItem(JobSnapshot? Snapshot, JobProgress? Event, long Sequence);
