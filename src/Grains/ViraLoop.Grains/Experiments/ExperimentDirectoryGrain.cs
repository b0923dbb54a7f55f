using ViraLoop.Grains.Messages;

namespace ViraLoop.Grains.Experiments;

[GenerateSerializer, Alias("vl.experiment-directory-state")]
public sealed class ExperimentDirectoryState
{
    [Id(0)] public List<ExperimentEntry> Entries { get; set; } = [];
}

/// <summary>The cluster's list of experiments (a few hundred bytes each; registration is idempotent).</summary>
public sealed class ExperimentDirectoryGrain([PersistentState("experiment-directory")] IPersistentState<ExperimentDirectoryState> state)
    : Grain, IExperimentDirectoryGrain
{
    public async Task Register(ExperimentEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (state.State.Entries.Any(e => e.TenantId == entry.TenantId && e.ExperimentId == entry.ExperimentId)) return;
        state.State.Entries.Add(entry);
        await state.WriteStateAsync();
    }

    public Task<IReadOnlyList<ExperimentEntry>> List(string? tenantId) =>
        Task.FromResult<IReadOnlyList<ExperimentEntry>>(state.State.Entries
            .Where(e => tenantId is null || e.TenantId == tenantId)
            .OrderByDescending(e => e.CreatedAt).ThenBy(e => e.ExperimentId, StringComparer.Ordinal).ToList());
}
