using ViraLoop.Grains.Messages;

namespace ViraLoop.Grains;

/// <summary>
/// The content-addressed scene cache (key <c>voice/&lt;sha256&gt;</c> or <c>visual/&lt;sha256&gt;</c> of everything
/// that decides the result): the same spec is computed once, even when asked for concurrently (one activation per key is
/// the single flight). Waiters (scene keys) are told when the result is ready.
/// </summary>
public interface ISceneCacheGrain : IGrainWithStringKey
{
    Task<CacheAnswer> Voice(VoiceScene order, string waiter);

    Task<CacheAnswer> Render(RenderScene order, string waiter);

    /// <summary>The waiter no longer wants the result; queued GPU work nobody waits for is withdrawn.</summary>
    Task Forget(string waiter);

    /// <summary>A GPU worker delivers a visual. False: the lease is stale or cancelled, and the worker must discard its result.</summary>
    Task<bool> OnRendered(GpuLease lease, SceneRendered rendered);

    /// <summary>
    /// A GPU worker asks before it renders: false when the entry is finished already or the item is an attempt the entry
    /// gave up (the item is then withdrawn), so a finished scene is never rendered again.
    /// </summary>
    Task<bool> StillWanted(GpuLease lease);

    /// <summary>A GPU worker could not make the visual. Retryable failures go back to the queue (up to the scheduler's attempts).</summary>
    Task OnRenderFailed(GpuLease lease, string reason, bool retryable);

    /// <summary>The voice finished (or failed) on the entry's own executor task.</summary>
    Task OnVoiceComputed(SceneVoiced? voiced, string? error);

    /// <summary>How many times this entry's work was started (tests: a finished scene is never rendered again).</summary>
    Task<int> GetComputeCount();
}
