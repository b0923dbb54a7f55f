using System.Globalization;
using ViraLoop.Grains.Execution;
using ViraLoop.Grains.Messages;

namespace ViraLoop.Grains.Tenant;

/// <summary>
/// A tenant's plan, job index, idempotency keys and quota counters (see <see cref="ITenantGrain"/>). One activation per
/// tenant serialises admissions, so two concurrent requests with one idempotency key make one job, and a quota is never
/// overrun by a burst.
/// </summary>
public sealed class TenantGrain(
    [PersistentState("tenant")] IPersistentState<TenantState> state,
    PipelineServices services) : Grain, ITenantGrain
{
    /// <summary>How long an idempotency key is remembered.</summary>
    public static readonly TimeSpan IdempotencyWindow = TimeSpan.FromHours(24);

    /// <summary>Jobs per page of the job index.</summary>
    public const int PageSize = 200;

    /// <summary>How many of the newest index pages a withdrawal looks in.</summary>
    private const int WithdrawPages = 2;

    private DateTimeOffset _prunedAt;

    private ITenantJobsPageGrain Page(long page) => GrainFactory.GetGrain<ITenantJobsPageGrain>($"{TenantId}/{page}");

    private TenantState S => state.State;
    private string TenantId => this.GetPrimaryKeyString();

    public Task<TenantPlanSettings> GetPlan() => Task.FromResult(Plan());

    private TenantPlanSettings Plan()
    {
        if (S.Plan is { } set) return set;
        var plan = services.Options.DefaultPlan;
        // A tenant named in the silo's configuration (ViraLoop:Tenants) keeps its configured weight and ceiling.
        return services.Options.Tenants.TryGetValue(TenantId, out var configured)
            ? plan with { Weight = configured.Weight, PriorityCeiling = Priorities.Name(configured.Ceiling) }
            : plan;
    }

    public async Task<TenantPlanSettings> SetPlan(TenantPlanSettings plan)
    {
        var ceiling = Priorities.Parse(plan.PriorityCeiling) ?? throw new ArgumentException($"Unknown priority ceiling '{plan.PriorityCeiling}': use high, standard or low.");
        if (!double.IsFinite(plan.Weight) || plan.Weight is <= 0 or > 1000) throw new ArgumentException("The weight must be above 0 and at most 1000.");
        if (plan.VideosPerDay is < 0 or > 1_000_000) throw new ArgumentException("Videos per day must be between 0 and 1,000,000.");
        if (!double.IsFinite(plan.RenderedSecondsPerMonth) || plan.RenderedSecondsPerMonth is < 0 or > 1e9) throw new ArgumentException("Rendered seconds per month must be between 0 and 1e9.");
        if (plan.RequestsPerMinute is < 1 or > 1_000_000) throw new ArgumentException("Requests per minute must be between 1 and 1,000,000.");
        if (plan.ConcurrentJobs is < 1 or > 100_000) throw new ArgumentException("Concurrent jobs must be between 1 and 100,000.");
        if (string.IsNullOrWhiteSpace(plan.Name) || plan.Name.Length > 64) throw new ArgumentException("The plan needs a name of at most 64 characters.");
        ViraLoop.Media.Safety.Moderation.ModerationPolicy moderation;
        try { moderation = ViraLoop.Media.Safety.Moderation.ModerationPolicy.FromSettings(plan.Moderation); }
        catch (ViraLoop.Media.MediaInputException e) { throw new ArgumentException(e.Message); }
        S.Plan = plan with
        {
            PriorityCeiling = Priorities.Name(ceiling),
            Name = plan.Name.Trim(),
            Moderation = moderation.ToSettings() is { Count: > 0 } levels ? new Dictionary<string, string>(levels) : null,
        };
        await GrainFactory.GetGrain<ISchedulerGrain>(SchedulerKeys.Gpu).SetTenantPlan(new TenantPlanView(TenantId, plan.Weight, Priorities.Name(ceiling)));
        await state.WriteStateAsync();
        return S.Plan;
    }

    public async Task<Admission> Admit(AdmissionRequest r)
    {
        Prune(r.At);
        if (r.IdempotencyKey is { } key && S.Idempotency.TryGetValue(key, out var seen) && r.At - seen.At <= IdempotencyWindow)
        {
            return seen.Fingerprint == r.Fingerprint
                ? new Admission(AdmissionOutcome.Replayed, seen.JobId)
                : new Admission(AdmissionOutcome.KeyReused, seen.JobId, Message:
                    "This Idempotency-Key was used for a different request in the last 24 hours; use a new key for a new video.");
        }
        Roll(r.At);
        var plan = Plan();
        if (S.VideosToday + 1 > plan.VideosPerDay)
            return new Admission(AdmissionOutcome.QuotaExceeded, r.JobId, "videos-per-day",
                $"Your plan allows {plan.VideosPerDay} videos a day and {S.VideosToday} were made today (UTC); the count starts again at midnight UTC.");
        if (S.Active.Count + 1 > plan.ConcurrentJobs) await PruneActiveAsync();
        if (S.Active.Count + 1 > plan.ConcurrentJobs)
            return new Admission(AdmissionOutcome.QuotaExceeded, r.JobId, "concurrent-jobs",
                $"Your plan allows {plan.ConcurrentJobs} unfinished videos at once and {S.Active.Count} are queued, running or waiting for approval; wait for one to finish, or cancel one.");
        if (S.SecondsThisMonth + r.DurationSeconds > plan.RenderedSecondsPerMonth)
            return new Admission(AdmissionOutcome.QuotaExceeded, r.JobId, "rendered-seconds-per-month",
                $"Your plan allows {plan.RenderedSecondsPerMonth:0} rendered seconds a month; {S.SecondsThisMonth:0} are used and this video asks for {r.DurationSeconds:0}.");
        var page = S.Admitted / PageSize;
        await Page(page).Add(new TenantJob(r.JobId, r.At, new AdmissionCount(S.Day, S.Month, r.DurationSeconds, r.IdempotencyKey)));
        S.Admitted++;
        S.Listed++;
        S.VideosToday++;
        S.SecondsThisMonth += r.DurationSeconds;
        S.Active[r.JobId] = r.At;
        if (r.IdempotencyKey is { } k) S.Idempotency[k] = new IdempotencyEntry(r.JobId, r.Fingerprint, r.At);
        await state.WriteStateAsync();
        return new Admission(AdmissionOutcome.Admitted, r.JobId);
    }

    /// <summary>
    /// Gives back a job's admission (its job refused the order right after it was admitted): out of the index, its
    /// counts returned. Looked for in the newest pages only, where a job admitted moments ago is.
    /// </summary>
    public async Task JobEnded(string jobId)
    {
        if (S.Active.Remove(jobId)) await state.WriteStateAsync();
    }

    /// <summary>
    /// Asks the jobs counted as unfinished how they stand (a job's one-way "ended" can be lost with a silo) and forgets the
    /// finished and the missing ones; a job that cannot answer now is kept.
    /// </summary>
    private async Task PruneActiveAsync()
    {
        var checks = S.Active.Keys.ToList().Select(async id =>
        {
            try
            {
                var snapshot = await GrainFactory.GetGrain<IVideoJobGrain>(JobKeys.Of(TenantId, id)).GetSnapshot();
                return (id, done: snapshot.Status.IsFinal());
            }
            catch (KeyNotFoundException) { return (id, done: S.Active[id] < DateTimeOffset.UtcNow.AddMinutes(-5)); }
            catch (Exception) { return (id, done: false); }
        });
        var ended = (await Task.WhenAll(checks)).Where(c => c.done).Select(c => c.id).ToList();
        foreach (var id in ended) S.Active.Remove(id);
        if (ended.Count > 0) await state.WriteStateAsync();
    }

    public async Task Withdraw(string jobId)
    {
        var wasActive = S.Active.Remove(jobId);
        if (S.Admitted == 0) return;
        var newest = (S.Admitted - 1) / PageSize;
        TenantJob? removed = null;
        for (var page = newest; page >= Math.Max(0, newest - WithdrawPages + 1) && removed is null; page--) removed = await Page(page).Remove(jobId);
        if (removed is null)
        {
            if (wasActive) await state.WriteStateAsync();
            return;
        }
        S.Listed = Math.Max(0, S.Listed - 1);
        if (removed.Counted is { } counted)
        {
            Roll(DateTimeOffset.UtcNow);
            if (counted.Day == S.Day) S.VideosToday = Math.Max(0, S.VideosToday - 1);
            if (counted.Month == S.Month) S.SecondsThisMonth = Math.Max(0, S.SecondsThisMonth - counted.Seconds);
            if (counted.IdempotencyKey is { } key && S.Idempotency.TryGetValue(key, out var e) && e.JobId == jobId) S.Idempotency.Remove(key);
        }
        await state.WriteStateAsync();
    }

    public async Task<TenantJobPage> ListJobs(int offset, int limit)
    {
        offset = Math.Max(0, offset);
        limit = Math.Clamp(limit, 1, 500);
        var found = new List<TenantJob>();
        var skip = offset;
        for (var page = (S.Admitted - 1) / PageSize; page >= 0 && S.Admitted > 0 && found.Count < limit; page--)
        {
            var jobs = await Page(page).Get();
            if (skip >= jobs.Count) { skip -= jobs.Count; continue; }
            found.AddRange(jobs.Reverse().Skip(skip).Take(limit - found.Count));
            skip = 0;
        }
        return new TenantJobPage(found, S.Listed);
    }

    public Task<TenantUsage> GetUsage()
    {
        Roll(DateTimeOffset.UtcNow);
        return Task.FromResult(new TenantUsage(S.Day, S.VideosToday, S.Month, S.SecondsThisMonth, Plan()));
    }

    public async Task AddKey(ApiKeyInfo key)
    {
        S.Keys.RemoveAll(k => k.KeyId == key.KeyId);
        S.Keys.Add(key);
        await state.WriteStateAsync();
    }

    public async Task<bool> RemoveKey(string keyId)
    {
        var i = S.Keys.FindIndex(k => k.KeyId == keyId && k.RevokedAt is null);
        if (i < 0) return false;
        S.Keys[i] = S.Keys[i] with { RevokedAt = DateTimeOffset.UtcNow };
        await state.WriteStateAsync();
        return true;
    }

    public Task<IReadOnlyList<ApiKeyInfo>> ListKeys() => Task.FromResult<IReadOnlyList<ApiKeyInfo>>(S.Keys.ToList());

    /// <summary>New day or month (UTC): the counters start again.</summary>
    private void Roll(DateTimeOffset now)
    {
        var day = now.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var month = day[..7];
        if (S.Day != day) (S.Day, S.VideosToday) = (day, 0);
        if (S.Month != month) (S.Month, S.SecondsThisMonth) = (month, 0);
    }

    /// <summary>Forgets idempotency keys past their window (at most once a minute: it looks at every key).</summary>
    private void Prune(DateTimeOffset now)
    {
        if (now - _prunedAt < TimeSpan.FromMinutes(1)) return;
        _prunedAt = now;
        foreach (var (key, e) in S.Idempotency.Where(e => now - e.Value.At > IdempotencyWindow).ToList()) S.Idempotency.Remove(key);
    }
}
