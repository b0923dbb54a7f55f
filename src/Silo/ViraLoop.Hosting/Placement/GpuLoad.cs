using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Orleans.Metadata;
using Orleans.Runtime;
using ViraLoop.Grains.Placement;

namespace ViraLoop.Hosting.Placement;

/// <summary>What a GPU silo says about its load.</summary>
[GenerateSerializer, Immutable, Alias("vl.gpu-load")]
public sealed record GpuSiloLoad(
    [property: Id(0)] SiloAddress Silo,
    [property: Id(1)] int Slots,
    [property: Id(2)] int Activations,
    [property: Id(3)] string Device,
    [property: Id(4)] DateTime ReportedAt,
    [property: Id(5)] long Version)
{
    public int FreeSlots => Slots - Activations;
}

/// <summary>The cluster's soft view of GPU silo load: each GPU silo reports, placement directors read.</summary>
[Alias("vl.gpu-load-registry")]
public interface IGpuLoadRegistryGrain : IGrainWithIntegerKey
{
    [Alias("report")] Task Report(GpuSiloLoad load);
    [Alias("loads"), AlwaysInterleave] Task<GpuSiloLoad[]> GetLoads();
}

[Reentrant]
internal sealed class GpuLoadRegistryGrain : Grain, IGpuLoadRegistryGrain
{
    private readonly Dictionary<SiloAddress, GpuSiloLoad> _loads = new();

    public Task Report(GpuSiloLoad load)
    {
        if (!_loads.TryGetValue(load.Silo, out var known) || known.Version <= load.Version) _loads[load.Silo] = load;
        return Task.CompletedTask;
    }

    public Task<GpuSiloLoad[]> GetLoads()
    {
        var cutoff = DateTime.UtcNow.AddSeconds(-30);
        foreach (var stale in _loads.Where(kv => kv.Value.ReportedAt < cutoff).Select(kv => kv.Key).ToList()) _loads.Remove(stale);
        return Task.FromResult(_loads.Values.ToArray());
    }
}

/// <summary>
/// Counts the inference activations living on this silo. Grains placed with <see cref="GpuPlacementAttribute"/>
/// are counted by <see cref="InferenceActivationCounter"/> (an activation lifecycle hook); nothing in grain code.
/// </summary>
public sealed class LocalGpuLoad(ViraLoopOptions options)
{
    private int _activations;
    private long _version;
    private readonly SemaphoreSlim _changed = new(0, 1);

    public int Slots => options.GpuSlots;
    public string Device => options.GpuDevice ?? "cpu";
    public int Activations => Volatile.Read(ref _activations);
    public long Version => Interlocked.Read(ref _version);

    internal void Add(int delta)
    {
        Interlocked.Add(ref _activations, delta);
        Interlocked.Increment(ref _version);
        if (_changed.CurrentCount == 0) { try { _changed.Release(); } catch (SemaphoreFullException) { } }
    }

    internal Task<bool> WaitChangedAsync(TimeSpan timeout, CancellationToken ct) => _changed.WaitAsync(timeout, ct);
}

/// <summary>Reports this GPU silo's load to the registry when it changes (at most every 100 ms) and every second.</summary>
internal sealed class GpuLoadPublisher(IGrainFactory grains, ILocalSiloDetails silo, LocalGpuLoad load, ILogger<GpuLoadPublisher> log,
    IHostApplicationLifetime lifetime) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The silo is started (and can call grains) once the host reports started.
        var started = new TaskCompletionSource();
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        using (stoppingToken.Register(() => started.TrySetCanceled()))
        {
            try { await started.Task; } catch (TaskCanceledException) { return; }
        }
        var registry = grains.GetGrain<IGpuLoadRegistryGrain>(0);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await registry.Report(new GpuSiloLoad(silo.SiloAddress, load.Slots, load.Activations, load.Device, DateTime.UtcNow, load.Version));
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                log.LogDebug(e, "GPU load report failed; retrying");
            }
            try
            {
                await load.WaitChangedAsync(TimeSpan.FromSeconds(1), stoppingToken);
                await Task.Delay(100, stoppingToken);
            }
            catch (OperationCanceledException) { return; }
        }
    }
}

/// <summary>Hooks every activation of a grain class marked <see cref="GpuPlacementAttribute"/> into <see cref="LocalGpuLoad"/>.</summary>
internal sealed class InferenceActivationCounter(LocalGpuLoad load) : IConfigureGrainContext
{
    public void Configure(IGrainContext context) =>
        context.ObservableLifecycle.Subscribe("vl.gpu-load", GrainLifecycleStage.Activate,
            _ => { load.Add(1); return Task.CompletedTask; },
            _ => { load.Add(-1); return Task.CompletedTask; });
}

internal sealed class InferenceActivationCounterProvider(LocalGpuLoad load) : IConfigureGrainContextProvider
{
    private readonly InferenceActivationCounter _counter = new(load);
    private readonly Dictionary<GrainType, bool> _isInference = new();
    private readonly Lock _lock = new();

    public bool TryGetConfigurator(GrainType grainType, GrainProperties properties, out IConfigureGrainContext configurator)
    {
        configurator = _counter;
        lock (_lock)
        {
            if (!_isInference.TryGetValue(grainType, out var isInference))
            {
                isInference = properties.Properties.TryGetValue(WellKnownGrainTypeProperties.PlacementStrategy, out var strategy)
                    && strategy == nameof(GpuPlacementStrategy);
                _isInference[grainType] = isInference;
            }
            return isInference;
        }
    }
}
