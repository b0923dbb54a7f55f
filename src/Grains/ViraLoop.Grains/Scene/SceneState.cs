namespace ViraLoop.Grains.Scene;

/// <summary>The cache entries this scene asked for (so a cancel reaches them after a restart too).</summary>
[GenerateSerializer, Alias("vl.scene-state")]
public sealed class SceneState
{
    [Id(0)] public HashSet<string> CacheKeys { get; set; } = [];
    [Id(1)] public bool Cancelled { get; set; }
}
