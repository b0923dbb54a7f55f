namespace ViraLoop.Grains;

/// <summary>
/// A GPU worker (key: the name of the GPU silo it runs on; activates only on GPU silos): a number of slots, pulling
/// visual work from the scheduler and running the visual backends outside its turns.
/// </summary>
public interface IGpuWorkerGrain : IGrainWithStringKey
{
    /// <summary>Starts pulling (idempotent). The GPU silo calls it on start and then every few seconds.</summary>
    Task Start();

    Task<GpuWorkerStatus> GetStatus();

    /// <summary>Pulls now rather than at the next poll: work was queued, or one of its slots came free. Ignored by a worker not pulling.</summary>
    [Orleans.Concurrency.OneWay] Task Wake();
}

[GenerateSerializer, Immutable, Alias("vl.gpu-worker-status")]
public sealed record GpuWorkerStatus(
    [property: Id(0)] string WorkerId,
    [property: Id(1)] string Silo,
    [property: Id(2)] int Slots,
    [property: Id(3)] int Busy,
    [property: Id(4)] long Completed,
    [property: Id(5)] bool Pulling,
    [property: Id(6)] IReadOnlyList<string>? Backends = null);
