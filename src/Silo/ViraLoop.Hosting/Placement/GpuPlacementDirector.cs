using Orleans.Runtime;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Orleans.Runtime.Placement;
using ViraLoop.Grains.Placement;

namespace ViraLoop.Hosting.Placement;

/// <summary>
/// Places inference grains on GPU silos only (silo metadata <c>role</c> contains <c>gpu</c>), on the one with the most
/// free slots: its slots (metadata) minus the inference activations it last reported, minus what this director placed
/// there since that report (so a burst of activations spreads instead of piling onto one silo between reports).
/// No GPU silo: <see cref="NoGpuSiloException"/>, which the caller receives.
/// </summary>
internal sealed class GpuPlacementDirector(ISiloMetadataCache metadata, IGrainFactory grains) : IPlacementDirector
{
    private static readonly TimeSpan Fresh = TimeSpan.FromMilliseconds(250);
    private readonly Lock _lock = new();
    private Dictionary<SiloAddress, GpuSiloLoad> _reported = new();
    private readonly Dictionary<SiloAddress, int> _placedSinceReport = new();
    private DateTime _fetchedAt = DateTime.MinValue;
    private Task? _refresh;

    public async Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var gpuSilos = context.GetCompatibleSilos(target).Where(IsGpuSilo).ToArray();
        if (gpuSilos.Length == 0) throw new NoGpuSiloException();
        if (gpuSilos.Length == 1) return Place(gpuSilos[0]);

        await RefreshAsync();
        lock (_lock)
        {
            var best = gpuSilos
                .Select(s => (silo: s, free: Slots(s) - Reported(s) - _placedSinceReport.GetValueOrDefault(s)))
                .OrderByDescending(x => x.free)
                .ThenBy(_ => Random.Shared.Next())
                .First().silo;
            return Place(best);
        }
    }

    private SiloAddress Place(SiloAddress silo)
    {
        lock (_lock) _placedSinceReport[silo] = _placedSinceReport.GetValueOrDefault(silo) + 1;
        return silo;
    }

    private bool IsGpuSilo(SiloAddress silo) =>
        metadata.GetSiloMetadata(silo).Metadata.TryGetValue(SiloMetadataKeys.Role, out var roles)
        && roles.Split(',', StringSplitOptions.TrimEntries).Contains(SiloMetadataKeys.GpuRole, StringComparer.OrdinalIgnoreCase);

    private int Slots(SiloAddress silo) =>
        metadata.GetSiloMetadata(silo).Metadata.TryGetValue(SiloMetadataKeys.GpuSlots, out var s) && int.TryParse(s, out var n) ? n : 1;

    private int Reported(SiloAddress silo) => _reported.TryGetValue(silo, out var l) ? l.Activations : 0;

    private Task RefreshAsync()
    {
        lock (_lock)
        {
            if (DateTime.UtcNow - _fetchedAt < Fresh) return Task.CompletedTask;
            return _refresh ??= FetchAsync();
        }
    }

    private async Task FetchAsync()
    {
        try
        {
            var loads = await grains.GetGrain<IGpuLoadRegistryGrain>(0).GetLoads();
            lock (_lock)
            {
                var next = loads.ToDictionary(l => l.Silo);
                foreach (var (silo, load) in next)
                {
                    // A newer report already counts what this director placed before it.
                    if (!_reported.TryGetValue(silo, out var old) || old.Version != load.Version) _placedSinceReport.Remove(silo);
                }
                _reported = next;
                _fetchedAt = DateTime.UtcNow;
            }
        }
        catch (Exception)
        {
            // Soft state: without a report, placement still works on slots and local counts alone.
            lock (_lock) _fetchedAt = DateTime.UtcNow;
        }
        finally
        {
            lock (_lock) _refresh = null;
        }
    }
}
