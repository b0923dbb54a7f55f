namespace ViraLoop.Runtime.Storage;

/// <summary>Stored grain state: JSON text and its ETag.</summary>
public readonly record struct StoredState(string? Json, string? Etag);

/// <summary>Grain state with optimistic concurrency: every write names the ETag it read.</summary>
public interface IGrainStateStore
{
    Task<StoredState> ReadAsync(GrainId grain, string stateName, CancellationToken cancellationToken = default);

    /// <summary>Writes when the stored ETag equals <paramref name="expectedEtag"/>; returns the new ETag or throws <see cref="InconsistentStateException"/>.</summary>
    Task<string> WriteAsync(GrainId grain, string stateName, string json, string? expectedEtag, CancellationToken cancellationToken = default);

    /// <summary>Clears the state (a tombstone keeps the version, so an old ETag never matches again).</summary>
    Task<string> ClearAsync(GrainId grain, string stateName, string? expectedEtag, CancellationToken cancellationToken = default);
}

public interface IDeadLetterStore
{
    Task AddAsync(DeadLetter letter, CancellationToken cancellationToken = default);
    Task<IReadOnlyList<DeadLetter>> ListAsync(int limit = 100, CancellationToken cancellationToken = default);
}

public interface IReminderTable
{
    Task UpsertAsync(ReminderEntry entry, CancellationToken cancellationToken = default);
    Task RemoveAsync(GrainId grain, string name, CancellationToken cancellationToken = default);
    Task<IReadOnlyList<ReminderEntry>> ListAsync(GrainId grain, CancellationToken cancellationToken = default);

    /// <summary>Atomically moves every reminder due at <paramref name="now"/> to its next due time and returns the ticks this caller won.</summary>
    Task<IReadOnlyList<ReminderEntry>> ClaimDueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken = default);
}

public interface IMembershipTable
{
    Task RegisterAsync(SiloInfo silo, CancellationToken cancellationToken = default);
    Task HeartbeatAsync(string siloId, DateTimeOffset at, CancellationToken cancellationToken = default);
    Task MarkShutDownAsync(string siloId, CancellationToken cancellationToken = default);

    /// <summary>All silos, with <see cref="SiloStatus.Dead"/> for those whose last heartbeat is older than <paramref name="deadAfter"/>.</summary>
    Task<IReadOnlyList<SiloInfo>> ListAsync(DateTimeOffset now, TimeSpan deadAfter, CancellationToken cancellationToken = default);
}

/// <summary>Everything the runtime persists, in one database (SQLite embedded, PostgreSQL in a cluster).</summary>
public interface IRuntimeStore : IGrainStateStore, IDeadLetterStore, IReminderTable, IMembershipTable
{
    Task InitializeAsync(CancellationToken cancellationToken = default);
}
