using System.Runtime.CompilerServices;
using ViraLoop.Contracts;
using ViraLoop.Grains;
using ViraLoop.Grains.Messages;
using ViraLoop.Hosting;
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
        var (admission, job) = await JobAccess.SubmitAsync(client.Grains, tenant, VideoIds.New(), order, idempotencyKey);
        return job ?? throw (admission.Outcome == AdmissionOutcome.KeyReused
            ? new ViraLoopApiException(422, "idempotency-key-reused", "The Idempotency-Key was used for another request.", admission.Message!)
            : new ViraLoopApiException(403, "quota-exceeded", $"Quota {admission.Quota} is used up.", admission.Message!));
    }

    /// <summary>The job; <see cref="KeyNotFoundException"/> when the tenant has none with this id.</summary>
    public Task<JobSnapshot> GetAsync(string id) => Job(id).GetSnapshot();

    /// <summary>The tenant's jobs, newest first.</summary>
    public async Task<IReadOnlyList<JobSnapshot>> ListAsync(int offset = 0, int limit = 20) =>
        (await ListPageAsync(null, limit, offset)).Jobs;

    /// <summary>A page of the tenant's jobs, newest first, only those in <paramref name="status"/> when given (as the API's list).</summary>
    public Task<JobListPage> ListPageAsync(JobStatus? status, int limit = 20, int offset = 0) =>
        JobAccess.ListAsync(client.Grains, tenant, status, limit, offset);

    /// <summary>The job's script, or null until it is written; <see cref="KeyNotFoundException"/> when the tenant has no such job.</summary>
    public async Task<Script?> GetScriptAsync(string id)
    {
        await Job(id).GetSnapshot();
        return await Job(id).GetScript();
    }

    /// <summary>
    /// The tenant's videos most like this one by their DNA, most similar first (k: 1–50); <see cref="KeyNotFoundException"/>
    /// when the tenant has no such job, <see cref="InvalidOperationException"/> until it is finished.
    /// </summary>
    public Task<IReadOnlyList<DnaNeighbour>> FindSimilarAsync(string id, int k = DnaLimits.DefaultSimilar) =>
        JobAccess.SimilarAsync(client.Grains, tenant, id, k);

    /// <summary>The tenant's usage this day and month, and its plan.</summary>
    public Task<TenantUsage> GetUsageAsync() => Tenant.GetUsage();

    public Task<JobSnapshot> ApproveAsync(string id, Script? edited = null) => Job(id).Approve(edited);
    public Task<JobSnapshot> RejectAsync(string id, string reason) => Job(id).Reject(reason);
    public Task<JobSnapshot> CancelAsync(string id, string? reason = null) => Job(id).Cancel(reason);

    /// <summary>
    /// The job's progress as an <see cref="IAsyncEnumerable{T}"/> (<see cref="JobAccess.WatchAsync"/>): the events after
    /// <paramref name="afterSequence"/> the job still holds, then live ones, each newer than the last, until the final one.
    /// </summary>
    public async IAsyncEnumerable<JobProgress> WatchAsync(string id, long afterSequence = 0, [EnumeratorCancellation] CancellationToken ct = default)
    {
        await foreach (var item in JobAccess.WatchAsync(client.Cluster, tenant, id, afterSequence, ct))
            if (item.Event is { } e) yield return e;
    }
}
