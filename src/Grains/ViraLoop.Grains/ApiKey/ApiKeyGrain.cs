using ViraLoop.Grains.Messages;

namespace ViraLoop.Grains.ApiKey;

/// <summary>An API key's record, keyed by the secret's SHA-256 (see <see cref="IApiKeyGrain"/>).</summary>
public sealed class ApiKeyGrain([PersistentState("api-key")] IPersistentState<ApiKeyState> state) : Grain, IApiKeyGrain
{
    public Task<ApiKeyInfo?> Get() => Task.FromResult(state.RecordExists ? state.State.Key : null);

    public async Task Create(ApiKeyInfo key)
    {
        if (state.RecordExists && state.State.Key is not null) throw new InvalidOperationException("This key exists already.");
        state.State.Key = key with { Hash = this.GetPrimaryKeyString() };
        await state.WriteStateAsync();
    }

    public async Task Revoke()
    {
        if (state.State.Key is not { RevokedAt: null } key) return;
        state.State.Key = key with { RevokedAt = DateTimeOffset.UtcNow };
        await state.WriteStateAsync();
    }
}

[GenerateSerializer, Alias("vl.api-key-state")]
public sealed class ApiKeyState
{
    [Id(0)] public ApiKeyInfo? Key { get; set; }
}
