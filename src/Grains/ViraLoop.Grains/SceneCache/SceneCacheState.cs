using ViraLoop.Grains.Messages;

namespace ViraLoop.Grains.SceneCache;

[GenerateSerializer, Alias("vl.cache-entry-status")]
public enum CacheEntryStatus { Empty, InFlight, Done, Failed }

/// <summary>One cache entry: its result once done, who waits for it, and the work in flight (the scheduler item of a visual).</summary>
[GenerateSerializer, Alias("vl.scene-cache-state")]
public sealed class SceneCacheState
{
    [Id(0)] public CacheEntryStatus Status { get; set; }
    [Id(1)] public SceneVoiced? Voice { get; set; }
    [Id(2)] public SceneRendered? Render { get; set; }
    [Id(3)] public string? Error { get; set; }
    [Id(4)] public HashSet<string> Waiters { get; set; } = [];
    [Id(5)] public VoiceScene? VoiceOrder { get; set; }
    [Id(6)] public RenderScene? RenderOrder { get; set; }
    [Id(7)] public string? ItemId { get; set; }
    [Id(8)] public int Attempt { get; set; }

    /// <summary>How many times the work was started (a voice spoken, a visual queued).</summary>
    [Id(9)] public int Computes { get; set; }
}
