using ViraLoop.Grains.Execution;
using ViraLoop.Grains.Messages;

namespace ViraLoop.Grains.Scene;

/// <summary>
/// One scene of one job (key <c>tenant/job/index</c>). Its voice and visual are computed once per content by the scene
/// cache; the scene asks for them, answers at once on a hit, and relays late answers to its job. Its siblings run in
/// parallel (each is its own grain).
/// </summary>
public sealed class SceneGrain(
    [PersistentState("scene")] IPersistentState<SceneState> state,
    PipelineServices services) : Grain, ISceneGrain
{
    private string JobKey => this.GetPrimaryKeyString()[..this.GetPrimaryKeyString().LastIndexOf('/')];
    private int Index => int.Parse(this.GetPrimaryKeyString()[(this.GetPrimaryKeyString().LastIndexOf('/') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    private IVideoJobGrain Job => GrainFactory.GetGrain<IVideoJobGrain>(JobKey);

    public async Task<SceneVoiced?> Voice(VoiceScene order)
    {
        var key = CacheKeys.Voice(order);
        var answer = await AskAsync(key, c => c.Voice(order, this.GetPrimaryKeyString()));
        return answer?.Voice;
    }

    public async Task<SceneRendered?> Render(RenderScene order)
    {
        var key = CacheKeys.Visual(order, services.Visuals.Version(order.Backend));
        var answer = await AskAsync(key, c => c.Render(order, this.GetPrimaryKeyString()));
        return answer?.Render;
    }

    public async Task Cancel()
    {
        if (state.State.Cancelled) return;
        state.State.Cancelled = true;
        await state.WriteStateAsync();
        await Task.WhenAll(state.State.CacheKeys.Select(k => GrainFactory.GetGrain<ISceneCacheGrain>(k).Forget(this.GetPrimaryKeyString())));
    }

    public Task OnVoiced(SceneVoiced voiced) => state.State.Cancelled ? Task.CompletedTask : Job.OnSceneVoiced(Index, voiced);

    public Task OnRendered(SceneRendered rendered) => state.State.Cancelled ? Task.CompletedTask : Job.OnSceneRendered(Index, rendered);

    public Task OnFailed(string cacheKey, string reason) => state.State.Cancelled ? Task.CompletedTask : Job.OnSceneFailed(Index, reason);

    private async Task<CacheAnswer?> AskAsync(string key, Func<ISceneCacheGrain, Task<CacheAnswer>> ask)
    {
        if (state.State.Cancelled) return null;
        if (state.State.CacheKeys.Add(key)) await state.WriteStateAsync();
        var answer = await ask(GrainFactory.GetGrain<ISceneCacheGrain>(key));
        if (answer.Error is { } error)
        {
            Job.OnSceneFailed(Index, error).Ignore();
            return null;
        }
        return answer.IsPending ? null : answer;
    }
}
