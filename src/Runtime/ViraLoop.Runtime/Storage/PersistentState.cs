using System.Text.Json;
using ViraLoop.Runtime.Messaging;

namespace ViraLoop.Runtime.Storage;

internal interface IActivationState
{
    string Name { get; }
    Task ReadStateAsync(CancellationToken cancellationToken = default);
}

/// <summary>One named state of one activation, fenced by its ETag.</summary>
internal sealed class PersistentState<TState>(IGrainStateStore store, GrainId grain, string name, Action onConflict)
    : IPersistentState<TState>, IActivationState where TState : class, new()
{
    public string Name { get; } = name;
    public TState State { get; set; } = new();
    public string? Etag { get; private set; }
    public bool RecordExists { get; private set; }

    public async Task ReadStateAsync(CancellationToken cancellationToken = default)
    {
        var stored = await store.ReadAsync(grain, Name, cancellationToken);
        Etag = stored.Etag;
        RecordExists = stored.Json is not null;
        State = stored.Json is null ? new TState()
            : JsonSerializer.Deserialize<TState>(stored.Json, MessageSerializer.Options) ?? new TState();
    }

    public async Task WriteStateAsync(CancellationToken cancellationToken = default)
    {
        var json = JsonSerializer.Serialize(State, MessageSerializer.Options);
        try { Etag = await store.WriteAsync(grain, Name, json, Etag, cancellationToken); }
        catch (InconsistentStateException) { onConflict(); throw; }
        RecordExists = true;
    }

    public async Task ClearStateAsync(CancellationToken cancellationToken = default)
    {
        try { Etag = await store.ClearAsync(grain, Name, Etag, cancellationToken); }
        catch (InconsistentStateException) { onConflict(); throw; }
        RecordExists = false;
        State = new TState();
    }
}
