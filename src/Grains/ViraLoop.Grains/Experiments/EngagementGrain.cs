using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using ViraLoop.Analytics;
using ViraLoop.Grains.Messages;

namespace ViraLoop.Grains.Experiments;

/// <summary>
/// The silo's analytics store, opened on first use (ClickHouse when configured, else the embedded SQLite store). Only the
/// silo where <see cref="EngagementGrain"/> is active opens it for writing.
/// </summary>
public sealed class EngagementStoreHolder(Func<CancellationToken, Task<IEngagementStore>> open) : IAsyncDisposable
{
    private readonly SemaphoreSlim _lock = new(1, 1);
    private IEngagementStore? _store;

    public async Task<IEngagementStore> GetAsync(CancellationToken cancellationToken = default)
    {
        if (_store is { } s) return s;
        await _lock.WaitAsync(cancellationToken);
        try
        {
            return _store ??= await open(cancellationToken);
        }
        finally
        {
            _lock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_store is { } s) await s.DisposeAsync();
        _store = null;
    }
}

/// <summary>
/// The single writer of engagement events. Reentrant: appends only buffer (the store's own writer batches and commits),
/// and waiting for durability must not hold up the next batch. On deactivation everything buffered is flushed first, so
/// the next activation (maybe on another silo) never writes beside a store that still holds events.
/// </summary>
[Reentrant]
public sealed class EngagementGrain(EngagementStoreHolder holder, ILogger<EngagementGrain> log) : Grain, IEngagementGrain
{
    public async Task<bool> Append(IReadOnlyList<EngagementRecord> batch, TimeSpan waitDurable)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var store = await holder.GetAsync();
        var events = batch.Select(r => new EngagementEvent(r.EventId, r.TenantId, r.VideoId, r.ArmId, r.ExperimentId,
            EngagementKinds.Parse(r.Kind), r.Value, r.At, r.Platform)).ToList();
        await store.AppendAsync(events);
        if (waitDurable <= TimeSpan.Zero) return false;
        var flush = store.FlushAsync();
        return await Task.WhenAny(flush, Task.Delay(waitDurable)) == flush && flush.IsCompletedSuccessfully;
    }

    public async Task<IReadOnlyList<ArmTotals>> GetArmTotals(string tenantId, string experimentId)
    {
        var store = await holder.GetAsync();
        var days = await store.GetArmDailyAsync(tenantId, experimentId);
        return days.GroupBy(d => d.ArmId, StringComparer.Ordinal)
            .Select(g => new ArmTotals(g.Key, g.Sum(d => d.Impressions), g.Sum(d => d.Clicks), g.Sum(d => d.ViewsStarted),
                g.Sum(d => d.Completions), g.Sum(d => d.WatchSessions), g.Sum(d => d.WatchMilliseconds)))
            .OrderBy(t => t.ArmId, StringComparer.Ordinal).ToList();
    }

    public async Task<long> CountEvent(string eventId) => await (await holder.GetAsync()).CountEventAsync(eventId);

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        try
        {
            await (await holder.GetAsync(cancellationToken)).FlushAsync(cancellationToken);
        }
        catch (Exception e) when (e is OperationCanceledException or HttpRequestException or TimeoutException)
        {
            log.LogWarning("Engagement events still buffered at deactivation ({Reason}): {Error}", reason, e.Message);
        }
    }
}
