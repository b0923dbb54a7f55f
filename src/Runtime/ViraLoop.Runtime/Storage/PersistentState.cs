using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using ViraLoop.Runtime.Messaging;

namespace ViraLoop.Runtime.Storage;

internal interface IActivationState
{
    string Name { get; }
    Task ReadStateAsync(CancellationToken cancellationToken = default);
}

/// <summary>One named state of one activation, fenced by its ETag.</summary>
internal sealed class PersistentState<TState>(IGrainStateStore store, GrainId grain, string name, Action onConflict, IServiceProvider services)
    : IPersistentState<TState>, IActivationState where TState : class, new()
{
    internal const string VersionProperty = "$version";
    private static readonly int CurrentVersion = typeof(TState).GetCustomAttribute<StateVersionAttribute>()?.Version ?? 1;

    public string Name { get; } = name;
    public TState State { get; set; } = new();
    public string? Etag { get; private set; }
    public bool RecordExists { get; private set; }

    public async Task ReadStateAsync(CancellationToken cancellationToken = default)
    {
        var stored = await store.ReadAsync(grain, Name, cancellationToken);
        Etag = stored.Etag;
        RecordExists = stored.Json is not null;
        State = stored.Json is null ? new TState() : Load(stored.Json);
    }

    /// <summary>Reads stored JSON, upgrading it step by step when it was written by an older version of the state class.</summary>
    private TState Load(string json)
    {
        var node = JsonNode.Parse(json);
        if (node is not JsonObject obj) return JsonSerializer.Deserialize<TState>(json, MessageSerializer.Options) ?? new TState();
        int version = obj[VersionProperty]?.GetValue<int>() ?? 1;
        obj.Remove(VersionProperty);
        if (version > CurrentVersion)
            throw new InvalidOperationException($"State '{Name}' of {grain} was written by version {version} of {typeof(TState).Name}; this silo knows version {CurrentVersion}. Upgrade this silo before it hosts the grain.");
        if (version < CurrentVersion)
        {
            var steps = services.GetServices<IStateMigration<TState>>().ToDictionary(m => m.FromVersion);
            for (; version < CurrentVersion; version++)
            {
                if (!steps.TryGetValue(version, out var step))
                    throw new InvalidOperationException($"State '{Name}' of {grain} is at version {version} of {typeof(TState).Name} and no IStateMigration<{typeof(TState).Name}> upgrades it from there (current version {CurrentVersion}).");
                obj = step.Upgrade(obj);
            }
        }
        return obj.Deserialize<TState>(MessageSerializer.Options) ?? new TState();
    }

    private string Save()
    {
        if (CurrentVersion == 1) return JsonSerializer.Serialize(State, MessageSerializer.Options);
        var obj = JsonSerializer.SerializeToNode(State, MessageSerializer.Options) as JsonObject ?? new JsonObject();
        obj[VersionProperty] = CurrentVersion;
        return obj.ToJsonString(MessageSerializer.Options);
    }

    public async Task WriteStateAsync(CancellationToken cancellationToken = default)
    {
        var json = Save();
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
