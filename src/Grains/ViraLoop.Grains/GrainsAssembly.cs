namespace ViraLoop.Grains;

/// <summary>Anchor for this assembly's grain classes (video job, scene, GPU worker, bandit arm… land here).</summary>
public static class GrainsAssembly { }
