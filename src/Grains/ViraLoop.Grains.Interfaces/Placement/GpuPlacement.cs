using Orleans.Placement;
using Orleans.Runtime;

namespace ViraLoop.Grains.Placement;

/// <summary>
/// Places an activation only on a GPU silo (silo metadata <c>role=gpu</c>), on the one with the most free
/// inference slots. With no GPU silo in the cluster, activation fails with <see cref="NoGpuSiloException"/>.
/// </summary>
[Serializable, GenerateSerializer, Immutable, SuppressReferenceTracking, Alias("vl.gpu-placement")]
public sealed class GpuPlacementStrategy : PlacementStrategy
{
    public static readonly GpuPlacementStrategy Instance = new();
}

/// <summary>Marks a grain class as inference work: it activates only on GPU silos.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class GpuPlacementAttribute() : PlacementAttribute(GpuPlacementStrategy.Instance);

/// <summary>Silo metadata keys a silo publishes about itself.</summary>
public static class SiloMetadataKeys
{
    /// <summary>Comma list of roles; <c>gpu</c> marks a GPU silo.</summary>
    public const string Role = "role";
    /// <summary>How many inference slots the silo has.</summary>
    public const string GpuSlots = "gpu.slots";
    /// <summary>The device: a GPU name, or <c>cpu</c> when the silo has none.</summary>
    public const string GpuDevice = "gpu.device";
    public const string GpuRole = "gpu";
}

/// <summary>An inference grain was called but no silo in the cluster is a GPU silo.</summary>
[GenerateSerializer, Alias("vl.no-gpu-silo")]
public sealed class NoGpuSiloException : Exception
{
    public NoGpuSiloException() : base("No GPU silo is in the cluster: inference grains activate only on silos started with the gpu role (src/GpuSilo, or ViraLoop:Roles=gpu).") { }
    public NoGpuSiloException(string message) : base(message) { }
    public NoGpuSiloException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>Request-context keys GPU placement reads.</summary>
public static class GpuPlacementKeys
{
    /// <summary>A silo name: place the new activation on that silo if it is a GPU silo (a GPU silo starting its own worker).</summary>
    public const string TargetSilo = "vl.target-silo";
}
