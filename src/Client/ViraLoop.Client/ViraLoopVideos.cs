using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Orleans.Runtime;
using Orleans.Streams;
using ViraLoop.Contracts;
using ViraLoop.Grains;
using ViraLoop.Grains.Messages;
using ViraLoop.Media;

namespace ViraLoop.Client;

/// <summary>
/// The grain client SDK's typed face: one tenant's videos through the grain interfaces, with the HTTP SDK's method names
/// (<see cref="ViraLoopHttpClient"/>). Submissions go through the tenant (idempotency key, quotas, its job list) as the
/// API's do. Get one with <see cref="ViraLoopClient.Videos"/>.
/// </summary>
public sealed class ViraLoopVideos(ViraLoopClient client, string tenant)
{
    private ITenantGrain Tenant => client.Grains.GetGrain<ITenantGrain>(tenant);
    private IVideoJobGrain Job(string id) => client.Grains.GetGrain<IVideoJobGrain>(JobKeys.Of(tenant, id));

    /// <summary>Submits an order; with an idempotency key, a retry answers the first job. Bad input: <see cref="ArgumentException"/>; over a quota: <see cref="ViraLoopApiException"/> (403).</summary>
    public async Task<JobSnapshot> SubmitAsync(VideoOrder order, string? idempotencyKey = null)
    {
        var fingerprint = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(order))));
        var admission = await Tenant.Admit(new AdmissionRequest(VideoIds.New(), idempotencyKey, fingerprint, order.DurationSeconds, DateTimeOffset.UtcNow));
        switch (admission.Outcome)
        {
            case AdmissionOutcome.KeyReused: throw new ViraLoopApiException(422, "idempotency-key-reused", "The Idempotency-Key was used for another request.", admission.Message!);
            case AdmissionOutcome.QuotaExceeded: throw new ViraLoopApiException(403, "quota-exceeded", $"Quota {admission.Quota} is used up.", admission.Message!);
        }
        try
        {
            return await Job(admission.JobId).Submit(order);
        }
        catch (ArgumentException) when (admission.Outcome == AdmissionOutcome.Admitted)
        {
            await Tenant.Withdraw(admission.JobId);
            throw;
        }
    }

    /// <summary>The job; <see cref="KeyNotFoundException"/> when the tenant has none with this id.</summary>
    public Task<JobSnapshot> GetAsync(string id) => Job(id).GetSnapshot();

    /// <summary>The tenant's jobs, newest first.</summary>
    public async Task<IReadOnlyList<JobSnapshot>> ListAsync(int offset = 0, int limit = 20)
    {
        var page = await Tenant.ListJobs(offset, limit);
        var jobs = new List<JobSnapshot>();
        foreach (var j in page.Jobs)
        {
            try { jobs.Add(await Job(j.JobId).GetSnapshot()); }
            catch (KeyNotFoundException) { }
        }
        return jobs;
    }

    public Task<JobSnapshot> ApproveAsync(string id, Script? edited = null) => Job(id).Approve(edited);
    public Task<JobSnapshot> RejectAsync(string id, string reason) => Job(id).Reject(reason);
    public Task<JobSnapshot> CancelAsync(string id, string? reason = null) => Job(id).Cancel(reason);

    /// <summary>
    /// The job's progress from its stream as an <see cref="IAsyncEnumerable{T}"/>: first the events after
    /// <paramref name="afterSequence"/> the job still holds, then live ones, each newer than the last, until the final one.
    /// </summary>
    public async IAsyncEnumerable<JobProgress> WatchAsync(string id, long afterSequence = 0, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var live = Channel.CreateUnbounded<JobProgress>();
        var stream = client.Streams.GetStream<JobProgress>(StreamId.Create(StreamNames.Jobs, JobKeys.Of(tenant, id)));
        var subscription = await stream.SubscribeAsync((e, _) => { live.Writer.TryWrite(e); return Task.CompletedTask; });
        try
        {
            var replay = await Job(id).GetEventsSince(afterSequence);
            var last = afterSequence;
            foreach (var e in replay.Events)
            {
                last = e.Sequence;
                yield return e;
                if (e.Status.IsFinal()) yield break;
            }
            if (replay.Snapshot.Status.IsFinal()) yield break;
            while (true)
            {
                JobProgress? e = null;
                using (var wait = CancellationTokenSource.CreateLinkedTokenSource(ct))
                {
                    // Quiet stream: ask the job for what it published since (a late stream never holds progress back).
                    wait.CancelAfter(TimeSpan.FromSeconds(2));
                    try { e = await live.Reader.ReadAsync(wait.Token); }
                    catch (OperationCanceledException) when (!ct.IsCancellationRequested) { }
                }
                if (e is null)
                {
                    var caughtUp = await Job(id).GetEventsSince(last);
                    foreach (var missed in caughtUp.Events)
                    {
                        last = missed.Sequence;
                        yield return missed;
                        if (missed.Status.IsFinal()) yield break;
                    }
                    if (caughtUp.Snapshot.Status.IsFinal()) yield break;
                    continue;
                }
                if (e.Sequence <= last) continue;
                last = e.Sequence;
                yield return e;
                if (e.Status.IsFinal()) yield break;
            }
        }
        finally
        {
            try { await subscription.UnsubscribeAsync(); } catch (Exception) { }
        }
    }
}
