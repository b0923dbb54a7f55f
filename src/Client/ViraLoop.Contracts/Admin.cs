namespace ViraLoop.Contracts;

/// <summary>
/// A tenant's API key as the admin endpoints show it (<c>/v1/admin/tenants/{tenant}/keys</c>); <see cref="Secret"/> only in
/// the answer that created it, never again.
/// </summary>
public sealed record ApiKeyView(string KeyId, string Tenant, string Name, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt, string? Secret = null);
