using Orleans.Runtime;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Orleans.Runtime.Placement;
using ViraLoop.Grains.Placement;

namespace ViraLoop.Hosting.Placement;

/// <summary>
/// Places inference grains on GPU silos only (silo metadata <c>role</c> contains <c>gpu</c>, or the silo reports GPU
/// load), on the one with the most free slots: its slots minus the inference activations it last reported, minus what
/// this director placed there after that report (so a burst spreads instead of piling onto one silo between reports).
/// A silo whose metadata this silo has not fetched yet is unknown, not plain: placement waits for it (up to
/// <see cref="UnknownMetadataWait"/>) before saying there is no GPU silo (<see cref="NoGpuSiloException"/>).
/// </summary>
internal sealed class GpuPlacementDirector(ISiloMetadataCache metadata, IGrainFactory grains, IClusterMembershipService membership) : IPlacementDirector
{
    private static readonly TimeSpan Fresh = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan UnknownMetadataWait = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan ForgetPlacementsAfter = TimeSpan.FromSeconds(30);
    private readonly Lock _lock = new();
    private Dictionary<SiloAddress, GpuSiloLoad> _reported = new();
    private readonly Dictionary<SiloAddress, List<DateTime>> _placed = new();
    private DateTime _fetchedAt = DateTime.MinValue;
    private Task? _refresh;

    public async Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var deadline = DateTime.UtcNow + UnknownMetadataWait;
        while (true)
        {
            await RefreshAsync();
            var compatible = context.GetCompatibleSilos(target);
            var gpuSilos = compatible.Where(IsGpuSilo).ToArray();
            if (gpuSilos.Length > 0) return Targeted(target, gpuSilos) ?? Choose(gpuSilos);
            if (!compatible.Any(IsUnknown) || DateTime.UtcNow > deadline) throw new NoGpuSiloException();
            await Task.Delay(100);
        }
    }

    /// <summary>The GPU silo the caller named (<see cref="GpuPlacementKeys.TargetSilo"/>), when it is one of the candidates.</summary>
    private SiloAddress? Targeted(PlacementTarget target, SiloAddress[] gpuSilos)
    {
        if (target.RequestContextData is not { } data || !data.TryGetValue(GpuPlacementKeys.TargetSilo, out var value) || value is not string name) return null;
        var members = membership.CurrentSnapshot.Members;
        return gpuSilos.FirstOrDefault(s => members.TryGetValue(s, out var m) && m.Name == name);
    }

    private SiloAddress Choose(SiloAddress[] gpuSilos)
    {
        lock (_lock)
        {
            var now = DateTime.UtcNow;
            var best = gpuSilos
                .Select(s => (silo: s, free: Slots(s) - Reported(s) - PlacedSinceReport(s, now)))
                .OrderByDescending(x => x.free)
                .ThenBy(_ => Random.Shared.Next())
                .First().silo;
            if (!_placed.TryGetValue(best, out var times)) _placed[best] = times = new List<DateTime>();
            times.Add(now);
            return best;
        }
    }

    /// <summary>Placements after the silo's last report (a report counts only activations that exist).</summary>
    private int PlacedSinceReport(SiloAddress silo, DateTime now)
    {
        if (!_placed.TryGetValue(silo, out var times)) return 0;
        var since = _reported.TryGetValue(silo, out var report) ? report.ReportedAt : DateTime.MinValue;
        times.RemoveAll(t => t < now - ForgetPlacementsAfter);
        return times.Count(t => t > since);
    }

    private bool IsGpuSilo(SiloAddress silo)
    {
        var md = metadata.GetSiloMetadata(silo).Metadata;
        if (md.TryGetValue(SiloMetadataKeys.Role, out var roles))
            return roles.Split(',', StringSplitOptions.TrimEntries).Contains(SiloMetadataKeys.GpuRole, StringComparer.OrdinalIgnoreCase);
        lock (_lock) return _reported.ContainsKey(silo); // metadata not fetched yet, but it reports GPU load
    }

    /// <summary>Every ViraLoop silo publishes a role (empty for a plain silo): no role key means not fetched yet.</summary>
    private bool IsUnknown(SiloAddress silo) => !metadata.GetSiloMetadata(silo).Metadata.ContainsKey(SiloMetadataKeys.Role);

    private int Slots(SiloAddress silo) =>
        metadata.GetSiloMetadata(silo).Metadata.TryGetValue(SiloMetadataKeys.GpuSlots, out var s) && int.TryParse(s, out var n) ? n
        : _reported.TryGetValue(silo, out var l) ? l.Slots : 1;

    private int Reported(SiloAddress silo) => _reported.TryGetValue(silo, out var l) ? l.Activations : 0;

    private Task RefreshAsync()
    {
        lock (_lock)
        {
            if (DateTime.UtcNow - _fetchedAt < Fresh) return Task.CompletedTask;
            return _refresh ??= Task.Run(FetchAsync);
        }
    }

    private async Task FetchAsync()
    {
        try
        {
            var loads = await grains.GetGrain<IGpuLoadRegistryGrain>(0).GetLoads();
            lock (_lock) _reported = loads.ToDictionary(l => l.Silo);
        }
        catch (Exception)
        {
            // Soft state: without reports, placement still works on slots and this director's own placements.
        }
        finally
        {
            lock (_lock)
            {
                _fetchedAt = DateTime.UtcNow;
                _refresh = null;
            }
        }
    }
}
