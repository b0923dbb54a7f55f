using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using ViraLoop.Grains;
using ViraLoop.Grains.Messages;

namespace ViraLoop.Api.Videos;

/// <summary>
/// Per-tenant request limits (a token bucket of the plan's requests per minute, per silo) and a short cache of tenants'
/// plans, so a request costs no grain call for them.
/// </summary>
public sealed class RateLimits(IGrainFactory grains, TimeProvider clock)
{
    private static readonly TimeSpan PlanCacheFor = TimeSpan.FromSeconds(10);
    private readonly ConcurrentDictionary<string, (TenantPlanSettings Plan, DateTimeOffset At)> _plans = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (int PerMinute, TokenBucketRateLimiter Limiter)> _buckets = new(StringComparer.Ordinal);

    public async ValueTask<TenantPlanSettings> PlanAsync(string tenant)
    {
        var now = clock.GetUtcNow();
        if (_plans.TryGetValue(tenant, out var hit) && now - hit.At < PlanCacheFor) return hit.Plan;
        var plan = await grains.GetGrain<ITenantGrain>(tenant).GetPlan();
        _plans[tenant] = (plan, now);
        return plan;
    }

    /// <summary>Forgets a tenant's plan here (an admin changed it through this silo).</summary>
    public void Forget(string tenant) => _plans.TryRemove(tenant, out _);

    /// <summary>Takes one request from the tenant's bucket; null when allowed, else how long to wait.</summary>
    public async ValueTask<TimeSpan?> TryAcquireAsync(string tenant)
    {
        var perMinute = (await PlanAsync(tenant)).RequestsPerMinute;
        var bucket = _buckets.AddOrUpdate(tenant,
            _ => (perMinute, Bucket(perMinute)),
            (_, old) => old.PerMinute == perMinute ? old : (perMinute, Bucket(perMinute)));
        using var lease = bucket.Limiter.AttemptAcquire();
        if (lease.IsAcquired) return null;
        return lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1.0 / perMinute);
    }

    private static TokenBucketRateLimiter Bucket(int perMinute)
    {
        var perPeriod = Math.Max(1, perMinute / 600);
        return new(new TokenBucketRateLimiterOptions
        {
            TokenLimit = perMinute,
            TokensPerPeriod = perPeriod,
            ReplenishmentPeriod = TimeSpan.FromMinutes((double)perPeriod / perMinute),
        QueueLimit = 0,
            AutoReplenishment = true,
        });
    }
}
