using ViraLoop.Grains.Messages;

namespace ViraLoop.Grains.Tenant;

[GenerateSerializer, Alias("vl.tenant-state")]
public sealed class TenantState
{
    /// <summary>Null until an admin sets one: the configured default plan applies.</summary>
    [Id(0)] public TenantPlanSettings? Plan { get; set; }

    /// <summary>Jobs ever admitted (their index pages: <see cref="TenantGrain.PageSize"/> a page) and jobs listed now.</summary>
    [Id(1)] public long Admitted { get; set; }
    [Id(9)] public int Listed { get; set; }

    /// <summary>Idempotency key → (job id, request fingerprint, when). Kept for <see cref="TenantGrain.IdempotencyWindow"/>.</summary>
    [Id(2)] public Dictionary<string, IdempotencyEntry> Idempotency { get; set; } = new(StringComparer.Ordinal);

    [Id(3)] public string Day { get; set; } = "";
    [Id(4)] public int VideosToday { get; set; }
    [Id(5)] public string Month { get; set; } = "";
    [Id(6)] public double SecondsThisMonth { get; set; }

    // Id 7 held the day's admissions (for withdrawals); they live in the job index pages now, so admitting a job no longer
    // rewrites a record that grows with the day's jobs.

    [Id(8)] public List<ApiKeyInfo> Keys { get; set; } = [];

    /// <summary>Jobs admitted and not yet final (the concurrent-jobs limit), with when they were admitted.</summary>
    [Id(10)] public Dictionary<string, DateTimeOffset> Active { get; set; } = new(StringComparer.Ordinal);
}

[GenerateSerializer, Immutable, Alias("vl.idempotency-entry")]
public sealed record IdempotencyEntry([property: Id(0)] string JobId, [property: Id(1)] string Fingerprint, [property: Id(2)] DateTimeOffset At);

/// <summary>One page of a tenant's job index.</summary>
[GenerateSerializer, Alias("vl.tenant-jobs-page-state")]
public sealed class TenantJobsPageState
{
    [Id(0)] public List<TenantJob> Jobs { get; set; } = [];
}

/// <summary>See <see cref="ITenantJobsPageGrain"/>.</summary>
public sealed class TenantJobsPageGrain([PersistentState("tenant-jobs")] IPersistentState<TenantJobsPageState> state) : Grain, ITenantJobsPageGrain
{
    public async Task Add(TenantJob job)
    {
        if (state.State.Jobs.Any(j => j.JobId == job.JobId)) return;
        state.State.Jobs.Add(job);
        await state.WriteStateAsync();
    }

    public async Task<TenantJob?> Remove(string jobId)
    {
        var i = state.State.Jobs.FindIndex(j => j.JobId == jobId);
        if (i < 0) return null;
        var job = state.State.Jobs[i];
        state.State.Jobs.RemoveAt(i);
        await state.WriteStateAsync();
        return job;
    }

    public Task<IReadOnlyList<TenantJob>> Get() => Task.FromResult<IReadOnlyList<TenantJob>>(state.State.Jobs.ToList());
}
