using ViraLoop.Grains.Messages;

namespace ViraLoop.Grains.SceneCache;

public enum CacheEntryStatus { Empty, InFlight, Done, Failed }

/// <summary>One cache entry: its result once done, who waits for it, and the work in flight (the scheduler item of a visual).</summary>
public sealed class SceneCacheState
{
    public CacheEntryStatus Status { get; set; }
    public SceneVoiced? Voice { get; set; }
    public SceneRendered? Render { get; set; }
    public string? Error { get; set; }
    public HashSet<string> Waiters { get; set; } = [];
    public VoiceScene? VoiceOrder { get; set; }
    public RenderScene? RenderOrder { get; set; }
    public string? ItemId { get; set; }
    public int Attempt { get; set; }

    /// <summary>How many times the work was started (a voice spoken, a visual queued).</summary>
    public int Computes { get; set; }
}
