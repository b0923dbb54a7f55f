using Orleans.Concurrency;
using ViraLoop.Grains.Messages;

namespace ViraLoop.Grains;

/// <summary>
/// One scene of one job (key <c>tenant/job/index</c>): its voice and its visual, in parallel with its siblings. The work
/// itself is done once per content by the scene cache; the scene relays answers to its job.
/// </summary>
public interface ISceneGrain : IGrainWithStringKey
{
    /// <summary>The voice now (a cache hit), or null: the job is told by <see cref="IVideoJobGrain.OnSceneVoiced"/>.</summary>
    Task<SceneVoiced?> Voice(VoiceScene order);

    /// <summary>The visual now (a cache hit), or null: the job is told by <see cref="IVideoJobGrain.OnSceneRendered"/>.</summary>
    Task<SceneRendered?> Render(RenderScene order);

    /// <summary>The job no longer wants this scene: the cache forgets it as a waiter (and withdraws work nobody else waits for).</summary>
    Task Cancel();

    [OneWay] Task OnVoiced(SceneVoiced voiced);
    [OneWay] Task OnRendered(SceneRendered rendered);
    [OneWay] Task OnFailed(string cacheKey, string reason);
}
