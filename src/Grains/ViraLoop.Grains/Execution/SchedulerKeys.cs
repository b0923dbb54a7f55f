namespace ViraLoop.Grains.Execution;

/// <summary>Keys of the singleton grains.</summary>
public static class SchedulerKeys
{
    /// <summary>The GPU pool's scheduler.</summary>
    public const string Gpu = "gpu";
}
