using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using ViraLoop.Grains.Execution;
using ViraLoop.Grains.Messages;
using ViraLoop.Grains.Placement;

namespace ViraLoop.Grains.GpuWorker;

/// <summary>
/// A GPU worker: one per GPU silo (its key is the silo's name; activated there by the silo itself, and never on a plain
/// silo). It pulls up to its slot count of visual work from the scheduler, runs each item outside its turn, renews the
/// leases while they run (a cancelled or stale lease stops the work), and delivers results to the scene cache, which
/// accepts only the newest lease's result.
/// </summary>
[GpuPlacement]
public sealed class GpuWorkerGrain(
    PipelineServices services,
    ILocalSiloDetails silo,
    ILogger<GpuWorkerGrain> log) : Grain, IGpuWorkerGrain
{
    private readonly ConcurrentDictionary<string, Running> _running = new();
    private IGrainTimer? _pull, _renew;
    private long _completed;
    private bool _pulling;

    private sealed record Running(GpuAssignment Assignment, CancellationTokenSource Cancel);

    private string WorkerId => this.GetPrimaryKeyString();
    private int Slots => services.Options.GpuSlots;
    private ISchedulerGrain Scheduler => GrainFactory.GetGrain<ISchedulerGrain>(SchedulerKeys.Gpu);

    public Task Start()
    {
        if (_pulling) return Task.CompletedTask;
        if (WorkerId != silo.Name)
        {
            // A worker belongs to its own silo; placed anywhere else (its silo is gone), it does nothing and leaves.
            log.LogWarning("GPU worker {Worker} activated on silo {Silo}; it only runs on its own silo", WorkerId, silo.Name);
            DeactivateOnIdle();
            return Task.CompletedTask;
        }
        _pulling = true;
        ViraLoopMetrics.SlotsOffered(Slots);
        _pull = this.RegisterGrainTimer(PullAsync, new GrainTimerCreationOptions
        {
            DueTime = TimeSpan.Zero, Period = services.Options.WorkerPoll, KeepAlive = true, Interleave = false,
        });
        var renewEvery = services.Options.Scheduler.LeaseDuration / 3;
        _renew = this.RegisterGrainTimer(RenewAsync, new GrainTimerCreationOptions
        {
            DueTime = renewEvery, Period = renewEvery, KeepAlive = true, Interleave = true,
        });
        log.LogInformation("GPU worker {Worker} pulling with {Slots} slots", WorkerId, Slots);
        return Task.CompletedTask;
    }

    public Task Wake() => _pulling ? PullAsync(CancellationToken.None) : Task.CompletedTask;

    public Task<GpuWorkerStatus> GetStatus() =>
        Task.FromResult(new GpuWorkerStatus(WorkerId, silo.Name, Slots, _running.Count, Interlocked.Read(ref _completed), _pulling,
            services.Visuals.Names.ToList()));

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _pull?.Dispose();
        _renew?.Dispose();
        foreach (var r in _running.Values) r.Cancel.Cancel();
        return Task.CompletedTask;
    }

    private async Task PullAsync(CancellationToken ct)
    {
        var free = Slots - _running.Count;
        if (free <= 0) return;
        IReadOnlyList<GpuAssignment> work;
        try
        {
            work = await Scheduler.Pull(WorkerId, Slots, free);
        }
        catch (Exception e)
        {
            log.LogWarning(e, "GPU worker {Worker} could not pull work", WorkerId);
            return;
        }
        var self = this.AsReference<IGpuWorkerGrain>();
        foreach (var a in work)
        {
            var run = new Running(a, new CancellationTokenSource());
            if (!_running.TryAdd(a.Lease.ItemId, run)) continue;
            ViraLoopMetrics.SlotTaken();
            var cache = GrainFactory.GetGrain<ISceneCacheGrain>(a.Work.CacheKey);
            _ = Task.Run(() => ExecuteAsync(run, cache, self));
        }
    }

    private async Task RenewAsync(CancellationToken ct)
    {
        foreach (var run in _running.Values.ToList())
        {
            try
            {
                var answer = await Scheduler.Renew(run.Assignment.Lease);
                if (answer != LeaseAnswer.Accepted)
                {
                    log.LogInformation("Lease on {Item} is {Answer}: stopping it", run.Assignment.Lease.ItemId, answer);
                    run.Cancel.Cancel();
                }
            }
            catch (Exception e)
            {
                log.LogWarning(e, "Could not renew the lease on {Item}", run.Assignment.Lease.ItemId);
            }
        }
    }

    /// <summary>
    /// Off the grain's turn: ask whether the work is still wanted, render, deliver, free the slot. Only a failed render
    /// counts against the item's attempts; a cache entry that cannot be reached for a moment (its silo just died) is asked
    /// again, and a delivery is retried, since the cache accepts only the current lease's result anyway.
    /// </summary>
    private async Task ExecuteAsync(Running run, ISceneCacheGrain cache, IGpuWorkerGrain self)
    {
        var a = run.Assignment;
        var ct = run.Cancel.Token;
        try
        {
            if (!await CallCacheAsync(() => cache.StillWanted(a.Lease), true, ct))
            {
                log.LogInformation("{Item} is finished or withdrawn already; not rendering it", a.Lease.ItemId);
                return;
            }
            SceneRendered rendered;
            var render = a.Work.Render;
            var span = ViraLoopTracing.Start("scene.visual", render.TraceParent, render.JobKey, silo.Name,
                ("viraloop.scene", render.SceneIndex), ("viraloop.backend", render.Backend), ("viraloop.worker", WorkerId), ("viraloop.attempt", a.Attempt));
            try
            {
                rendered = await new VisualRenderer(services, log).RenderAsync(a, ct);
                rendered = rendered with { Span = span.End(detail: $"scene {render.SceneIndex + 1}, {rendered.Backend} on {WorkerId}" +
                    (a.Attempt > 1 ? $", attempt {a.Attempt}" : "")) };
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                span.End(Transient.Describe(e));
                log.LogWarning(e, "Visual for {Item} failed", a.Lease.ItemId);
                await CallCacheAsync(async () => { await cache.OnRenderFailed(a.Lease, Transient.Describe(e), Transient.Is(e)); return true; }, false, ct);
                return;
            }
            if (await CallCacheAsync(() => cache.OnRendered(a.Lease, rendered), false, ct))
            {
                Interlocked.Increment(ref _completed);
                ViraLoopMetrics.SceneRendered(rendered.Backend);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The lease was withdrawn or went stale: someone else owns this work now.
        }
        finally
        {
            _running.TryRemove(a.Lease.ItemId, out _);
            ViraLoopMetrics.SlotFreed();
            run.Cancel.Dispose();
            // The slot is free: take the next item now rather than at the next poll.
            try { await self.Wake(); }
            catch (Exception e) { log.LogDebug(e, "Could not wake GPU worker {Worker}", a.Lease.WorkerId); }
        }
    }

    /// <summary>Calls the cache entry, again after a pause while it cannot be reached (up to about 20 s); then gives <paramref name="otherwise"/>.</summary>
    private async Task<bool> CallCacheAsync(Func<Task<bool>> call, bool otherwise, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (Exception e) when (attempt < 6 && !ct.IsCancellationRequested)
            {
                log.LogWarning("The scene cache did not answer ({Error}); asking again", e.Message);
                await Task.Delay(TimeSpan.FromSeconds(attempt), ct);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                log.LogWarning(e, "The scene cache did not answer; giving up on this call");
                return otherwise;
            }
        }
    }
}
