using System.Security.Claims;

namespace ViraLoop.Api.Auth;

public static class Principals
{
    public const string Scheme = "ViraLoop";
    public const string TenantClaim = "tenant";
    public const string AdminRole = "admin";
    public const string TenantPolicy = "tenant";
    public const string AdminPolicy = "admin";

    /// <summary>The authenticated tenant (every tenant endpoint requires one, so it is there).</summary>
    public static string Tenant(this ClaimsPrincipal user) =>
        user.FindFirstValue(TenantClaim) ?? throw new InvalidOperationException("No tenant on an authorised request.");

    /// <summary>Tenant ids: lower-case letters, digits and dashes, 1–63 characters, starting with a letter or digit.</summary>
    public static bool IsTenantId(string? id) =>
        id is { Length: >= 1 and <= 63 } && char.IsAsciiLetterLower(id[0]) | char.IsAsciiDigit(id[0])
        && id.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');
}
