using Microsoft.Extensions.Logging;
using ViraLoop.Grains.Execution;
using ViraLoop.Grains.Messages;
using ViraLoop.Media.Pipeline.Steps;

namespace ViraLoop.Grains.SceneCache;

/// <summary>
/// A content-addressed cache entry (key <c>voice/&lt;hash&gt;</c> or <c>visual/&lt;hash&gt;</c>). One activation per key is
/// the single flight: concurrent askers become waiters of one computation. A voice is spoken here, on this silo's CPU
/// executor, outside the turn; a visual is queued to the GPU scheduler and delivered by a worker under a fenced lease.
/// The result is persisted before anyone is told, so a finished entry is never computed again.
/// </summary>
public sealed class SceneCacheGrain(
    [PersistentState("scene-cache")] IPersistentState<SceneCacheState> state,
    PipelineServices services,
    Orleans.Runtime.ILocalSiloDetails silo,
    ILogger<SceneCacheGrain> log) : Grain, ISceneCacheGrain
{
    private SceneCacheState S => state.State;
    private Task? _voicing;
    private DateTimeOffset _checkedAt = DateTimeOffset.MinValue;

    private string Key => this.GetPrimaryKeyString();

    public async Task<CacheAnswer> Voice(VoiceScene order, string waiter)
    {
        if (Answer() is { } done) return done;
        var changed = S.Waiters.Add(waiter);
        if (S.Status == CacheEntryStatus.InFlight && _voicing is { IsCompleted: false })
        {
            if (changed) await state.WriteStateAsync();
            return CacheAnswer.Pending;
        }
        S.Status = CacheEntryStatus.InFlight;
        S.VoiceOrder = order;
        S.Computes++;
        await state.WriteStateAsync();
        var self = this.AsReference<ISceneCacheGrain>();
        _voicing = Task.Run(() => SpeakAsync(order, self));
        return CacheAnswer.Pending;
    }

    public async Task<CacheAnswer> Render(RenderScene order, string waiter)
    {
        if (Answer() is { } done) return done;
        var changed = S.Waiters.Add(waiter);
        S.RenderOrder ??= order;
        var scheduler = GrainFactory.GetGrain<ISchedulerGrain>(SchedulerKeys.Gpu);
        if (S.Status == CacheEntryStatus.InFlight && S.ItemId is { } item)
        {
            // Asked again: the work is known to the scheduler unless it was lost (completed without a result reaching
            // us, failed, withdrawn). Check at most every few seconds.
            if (DateTimeOffset.UtcNow - _checkedAt < TimeSpan.FromSeconds(2))
            {
                if (changed) await state.WriteStateAsync();
                return CacheAnswer.Pending;
            }
            _checkedAt = DateTimeOffset.UtcNow;
            var status = await scheduler.GetStatus(item);
            if (status is GpuItemStatus.Queued or GpuItemStatus.Leased)
            {
                if (changed) await state.WriteStateAsync();
                return CacheAnswer.Pending;
            }
            if (status == GpuItemStatus.Failed)
            {
                var reason = await scheduler.GetFailure(item) ?? "the visual could not be made";
                await FailAsync(reason);
                return new CacheAnswer(null, null, reason);
            }
        }
        await EnqueueAsync(S.RenderOrder, scheduler);
        return CacheAnswer.Pending;
    }

    public async Task Forget(string waiter)
    {
        if (!S.Waiters.Remove(waiter)) return;
        if (S.Waiters.Count == 0 && S.Status == CacheEntryStatus.InFlight && S.ItemId is { } item)
        {
            await GrainFactory.GetGrain<ISchedulerGrain>(SchedulerKeys.Gpu).Cancel(item);
            S.Status = CacheEntryStatus.Empty;
            S.ItemId = null;
        }
        await state.WriteStateAsync();
    }

    public async Task<bool> OnRendered(GpuLease lease, SceneRendered rendered)
    {
        var scheduler = GrainFactory.GetGrain<ISchedulerGrain>(SchedulerKeys.Gpu);
        if (S.Status == CacheEntryStatus.Done)
        {
            // The same delivery again (a retried call) is fine; any other is a duplicate: withdraw its item.
            if (S.Render is { } r && r.Token == lease.Token && r.Worker == lease.WorkerId)
            {
                await scheduler.Complete(lease);
                return true;
            }
            await scheduler.Cancel(lease.ItemId);
            return false;
        }
        if (S.ItemId != lease.ItemId || await scheduler.Renew(lease) != LeaseAnswer.Accepted)
        {
            log.LogInformation("Discarded a visual for {Key} from {Worker} (lease {Token}): not the current lease", Key, lease.WorkerId, lease.Token);
            return false;
        }
        // The result is persisted first, then the scheduler is told: a crash in between leaves a finished entry whose item
        // expires and is withdrawn when next leased (StillWanted), never a completed item whose result was lost.
        S.Status = CacheEntryStatus.Done;
        S.Render = rendered with { CacheKey = Key };
        await state.WriteStateAsync();
        NotifyWaiters();
        try { await scheduler.Complete(lease); }
        catch (Exception e) { log.LogWarning(e, "Could not mark {Item} completed; its lease will expire and the item be withdrawn", lease.ItemId); }
        return true;
    }

    public async Task<bool> StillWanted(GpuLease lease)
    {
        if (S.Status != CacheEntryStatus.Done && S.ItemId == lease.ItemId) return true;
        // Finished already, or an attempt this entry gave up: the worker must not render it (again).
        await GrainFactory.GetGrain<ISchedulerGrain>(SchedulerKeys.Gpu).Cancel(lease.ItemId);
        return false;
    }

    public async Task OnRenderFailed(GpuLease lease, string reason, bool retryable)
    {
        if (S.Status != CacheEntryStatus.InFlight || S.ItemId != lease.ItemId) return;
        var scheduler = GrainFactory.GetGrain<ISchedulerGrain>(SchedulerKeys.Gpu);
        if (await scheduler.Fail(lease, reason, retryable) != LeaseAnswer.Accepted) return;
        if (await scheduler.GetStatus(lease.ItemId) == GpuItemStatus.Failed) await FailAsync(reason);
    }

    /// <summary>The voice finished (or could not be spoken) on this silo's executor.</summary>
    public async Task OnVoiceComputed(SceneVoiced? voiced, string? error)
    {
        if (S.Status != CacheEntryStatus.InFlight) return;
        if (voiced is null)
        {
            await FailAsync(error ?? "the voice could not be made");
            return;
        }
        S.Status = CacheEntryStatus.Done;
        S.Voice = voiced;
        await state.WriteStateAsync();
        NotifyWaiters();
    }

    public Task<int> GetComputeCount() => Task.FromResult(S.Computes);

    private CacheAnswer? Answer() => S.Status switch
    {
        CacheEntryStatus.Done => new CacheAnswer(S.Voice, S.Render, null),
        CacheEntryStatus.Failed => new CacheAnswer(null, null, S.Error),
        _ => null,
    };

    private async Task EnqueueAsync(RenderScene order, ISchedulerGrain scheduler)
    {
        S.Attempt++;
        S.ItemId = $"{CacheKeys.HashOf(Key)}.{S.Attempt}";
        S.Status = CacheEntryStatus.InFlight;
        S.Computes++;
        // Persist the item id first: a crash after enqueueing finds the item again instead of queueing another.
        await state.WriteStateAsync();
        var cost = Math.Max(0.1, order.Scene.Duration * (order.Backend == VisualBackendCatalog.Procedural ? 0.05 : 1.0));
        await scheduler.Enqueue(new GpuWork(S.ItemId, Key, order.TenantId, cost, order), order.Priority);
        _checkedAt = DateTimeOffset.UtcNow;
    }

    /// <summary>Tells the waiters; a failure is not cached (the next ask starts again: a later attempt may succeed).</summary>
    private async Task FailAsync(string reason)
    {
        var waiters = S.Waiters.ToList();
        S.Status = CacheEntryStatus.Empty;
        S.Error = reason;
        S.ItemId = null;
        S.Waiters.Clear();
        await state.WriteStateAsync();
        foreach (var w in waiters) GrainFactory.GetGrain<ISceneGrain>(w).OnFailed(Key, reason).Ignore();
    }

    private void NotifyWaiters()
    {
        foreach (var w in S.Waiters)
        {
            var scene = GrainFactory.GetGrain<ISceneGrain>(w);
            if (S.Voice is { } v) scene.OnVoiced(v).Ignore();
            else if (S.Render is { } r) scene.OnRendered(r).Ignore();
        }
    }

    /// <summary>Speaks the narration on the CPU executor, retrying with backoff, stores the WAV, and reports to this grain.</summary>
    private async Task SpeakAsync(VoiceScene order, ISceneCacheGrain self)
    {
        SceneVoiced? result = null;
        string? error = null;
        var tmp = Directory.CreateTempSubdirectory("viraloop-voice-").FullName;
        var span = ViraLoopTracing.Start("scene.voice", order.TraceParent, order.JobKey, silo.Name,
            ("viraloop.scene", order.SceneIndex), ("viraloop.voice", order.VoiceEngine));
        try
        {
            result = await services.Cpu.RunAsync(async ct =>
            {
                for (var attempt = 1; ; attempt++)
                {
                    try
                    {
                        var wav = Path.Combine(tmp, "voice.wav");
                        var spoken = await new SceneVoiceStep(services.Voice).RunAsync(
                            new SceneVoiceSpec(order.SceneIndex, order.Narration, order.Language, order.Speed, wav, order.Tone), ct);
                        var blob = await services.Blobs.PutFileAsync($"cache/voice/{CacheKeys.HashOf(Key)}/voice.wav", wav, ct);
                        return new SceneVoiced(Key, spoken with { AudioPath = blob.Key }, span.End(detail: $"scene {order.SceneIndex + 1}, {order.VoiceEngine}"));
                    }
                    catch (Exception e) when (attempt < services.Options.StepAttempts && Transient.Is(e))
                    {
                        log.LogWarning(e, "Voice for {Key} failed (attempt {Attempt}); retrying", Key, attempt);
                        await Task.Delay(services.Options.StepBackoff * Math.Pow(2, attempt - 1), ct);
                    }
                }
            });
        }
        catch (Exception e)
        {
            error = Transient.Describe(e);
            span.End(error);
        }
        finally
        {
            try { Directory.Delete(tmp, recursive: true); } catch (IOException) { }
        }
        for (var attempt = 0; attempt < 5; attempt++)
        {
            try
            {
                await self.OnVoiceComputed(result, error);
                return;
            }
            catch (Exception e)
            {
                log.LogWarning(e, "Could not report the voice of {Key}", Key);
                await Task.Delay(500 * (attempt + 1));
            }
        }
    }
}
