using ViraLoop.Grains.Messages;

namespace ViraLoop.Grains;

/// <summary>
/// One tenant (key: the tenant id): its plan (priority ceiling, GPU share weight, limits), its jobs newest first, its
/// idempotency keys and quota counters, and the ids of its API keys. Job grains stay the truth about each job.
/// </summary>
public interface ITenantGrain : IGrainWithStringKey
{
    /// <summary>The plan (interleaves: a job asks for it while the tenant may be asking that job how it stands).</summary>
    [Orleans.Concurrency.AlwaysInterleave]
    Task<TenantPlanSettings> GetPlan();

    /// <summary>Sets the plan (validated: <see cref="ArgumentException"/>) and tells the GPU scheduler its weight and ceiling.</summary>
    Task<TenantPlanSettings> SetPlan(TenantPlanSettings plan);

    /// <summary>
    /// Admits a submission before its job exists: answers the job an idempotency key already named (same request), refuses
    /// a key reused with another request, or a request over a quota; otherwise counts it and records the new job.
    /// </summary>
    Task<Admission> Admit(AdmissionRequest request);

    /// <summary>Undoes an admission whose job refused the order (bad input): the counters and the key are freed.</summary>
    Task Withdraw(string jobId);

    /// <summary>A job of the tenant reached a final state: it no longer counts against the concurrent-jobs limit (one way).</summary>
    [Orleans.Concurrency.OneWay]
    Task JobEnded(string jobId);

    /// <summary>The tenant's jobs, newest first, from <paramref name="offset"/>.</summary>
    Task<TenantJobPage> ListJobs(int offset, int limit);

    Task<TenantUsage> GetUsage();

    Task AddKey(ApiKeyInfo key);
    Task<bool> RemoveKey(string keyId);
    Task<IReadOnlyList<ApiKeyInfo>> ListKeys();
}

/// <summary>
/// One page of a tenant's job index (key <c>tenant/page</c>, 200 jobs a page in the order they were admitted), so that
/// admitting a job writes one small page instead of the tenant's whole history.
/// </summary>
public interface ITenantJobsPageGrain : IGrainWithStringKey
{
    Task Add(TenantJob job);

    /// <summary>Takes the job out of the index; gives the entry (with what its admission counted), or null when it is not here.</summary>
    Task<TenantJob?> Remove(string jobId);
    Task<IReadOnlyList<TenantJob>> Get();
}

/// <summary>
/// An API key (key: the SHA-256 of the secret, lower-case hex; the secret itself is never stored): which tenant it speaks
/// for, until revoked.
/// </summary>
public interface IApiKeyGrain : IGrainWithStringKey
{
    Task<ApiKeyInfo?> Get();
    Task Create(ApiKeyInfo key);
    Task Revoke();
}
