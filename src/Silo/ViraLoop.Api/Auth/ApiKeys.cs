using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using ViraLoop.Grains;
using ViraLoop.Grains.Messages;

namespace ViraLoop.Api.Auth;

/// <summary>
/// API keys: <c>vlk_</c> + 43 random base64url characters (256 bits). Only the SHA-256 of a key is stored (it is the key's
/// grain key); its public id is the first 12 hex characters of that hash. Lookups are cached for a few seconds per silo,
/// so a revoked key stops working within <see cref="CacheFor"/>.
/// </summary>
public sealed class ApiKeys(IGrainFactory grains, TimeProvider clock)
{
    public const string Prefix = "vlk_";
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(5);
    private readonly ConcurrentDictionary<string, (ApiKeyInfo? Key, DateTimeOffset At)> _cache = new(StringComparer.Ordinal);

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    /// <summary>Makes a key for a tenant: the secret is returned once and never stored.</summary>
    public async Task<(string Secret, ApiKeyInfo Key)> CreateAsync(string tenant, string name)
    {
        var secret = Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var hash = Hash(secret);
        var key = new ApiKeyInfo(hash[..12], tenant, name, clock.GetUtcNow());
        await grains.GetGrain<IApiKeyGrain>(hash).Create(key);
        await grains.GetGrain<ITenantGrain>(tenant).AddKey(key with { Hash = hash });
        return (secret, key);
    }

    /// <summary>The tenant a key speaks for, or null (unknown, malformed or revoked).</summary>
    public async Task<ApiKeyInfo?> FindAsync(string secret)
    {
        if (!secret.StartsWith(Prefix, StringComparison.Ordinal) || secret.Length is < 20 or > 100) return null;
        var hash = Hash(secret);
        var now = clock.GetUtcNow();
        if (_cache.TryGetValue(hash, out var hit) && now - hit.At < CacheFor) return hit.Key is { RevokedAt: null } ? hit.Key : null;
        var key = await grains.GetGrain<IApiKeyGrain>(hash).Get();
        if (_cache.Count > 10_000) _cache.Clear();
        _cache[hash] = (key, now);
        return key is { RevokedAt: null } ? key : null;
    }

    /// <summary>Revokes a tenant's key by its public id; false when the tenant has no such live key.</summary>
    public async Task<bool> RevokeAsync(string tenant, string keyId)
    {
        var tenantGrain = grains.GetGrain<ITenantGrain>(tenant);
        var key = (await tenantGrain.ListKeys()).FirstOrDefault(k => k.KeyId == keyId && k.RevokedAt is null);
        if (key is null) return false;
        await grains.GetGrain<IApiKeyGrain>(key.Hash).Revoke();
        await tenantGrain.RemoveKey(keyId);
        _cache.TryRemove(key.Hash, out _);
        return true;
    }
}
