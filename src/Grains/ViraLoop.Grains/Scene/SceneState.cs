namespace ViraLoop.Grains.Scene;

/// <summary>The cache entries this scene asked for (so a cancel reaches them after a restart too).</summary>
public sealed class SceneState
{
    public HashSet<string> CacheKeys { get; set; } = [];
    public bool Cancelled { get; set; }
}
