using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using ViraLoop.Hosting;

namespace ViraLoop.Api.Auth;

/// <summary>
/// One scheme for every caller: an API key (<c>X-Api-Key</c>, or <c>Authorization: Bearer vlk_…</c>), a JWT bearer token
/// (HS256, <c>tenant</c> claim) or, for admin endpoints, <c>X-Admin-Key</c>. Browsers' EventSource and WebSocket cannot
/// set headers, so the live endpoints also take the token as <c>access_token</c> in the query (SignalR's convention).
/// </summary>
public sealed class ViraLoopAuthHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeys keys,
    ViraLoopOptions settings) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    private static readonly JsonWebTokenHandler Jwt = new();

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (Request.Headers.TryGetValue("X-Admin-Key", out var admin))
        {
            if (settings.AdminKey is not { Length: > 0 } expected) return AuthenticateResult.Fail("Admin endpoints are off: no ViraLoop:AdminKey is set.");
            if (!Same(admin.ToString(), expected)) return AuthenticateResult.Fail("The admin key is wrong.");
            return Success(new Claim(ClaimTypes.Role, Principals.AdminRole), new Claim(ClaimTypes.Name, "admin"));
        }

        var token = Request.Headers.TryGetValue("X-Api-Key", out var apiKey) ? apiKey.ToString() : null;
        if (token is null && Request.Headers.Authorization.ToString() is { Length: > 7 } authorization
            && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            token = authorization[7..].Trim();
        if (token is null && IsLivePath(Request.Path) && Request.Query.TryGetValue("access_token", out var query)) token = query.ToString();
        if (string.IsNullOrEmpty(token)) return AuthenticateResult.NoResult();

        if (token.StartsWith(ApiKeys.Prefix, StringComparison.Ordinal))
        {
            var key = await keys.FindAsync(token);
            return key is null
                ? AuthenticateResult.Fail("The API key is not known or was revoked.")
                : Success(new Claim(Principals.TenantClaim, key.TenantId), new Claim("key", key.KeyId));
        }
        return await JwtAsync(token);
    }

    private async Task<AuthenticateResult> JwtAsync(string token)
    {
        if (settings.JwtSigningKey is not { Length: >= 32 } signingKey)
            return AuthenticateResult.Fail("Bearer tokens are not accepted here (no ViraLoop:JwtSigningKey is set); use an API key.");
        var result = await Jwt.ValidateTokenAsync(token, new TokenValidationParameters
        {
            IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(signingKey)),
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            ValidateIssuer = settings.JwtIssuer is { Length: > 0 },
            ValidIssuer = settings.JwtIssuer,
            ValidateAudience = settings.JwtAudience is { Length: > 0 },
            ValidAudience = settings.JwtAudience,
            RequireExpirationTime = true,
            ClockSkew = TimeSpan.FromSeconds(30),
        });
        if (!result.IsValid)
            return AuthenticateResult.Fail(result.Exception switch
            {
                SecurityTokenExpiredException => "The bearer token has expired.",
                SecurityTokenInvalidSignatureException or SecurityTokenSignatureKeyNotFoundException => "The bearer token's signature is not valid.",
                SecurityTokenInvalidAudienceException => "The bearer token is for another audience.",
                SecurityTokenInvalidIssuerException => "The bearer token is from another issuer.",
                _ => "The bearer token is not valid.",
            });
        var tenant = result.Claims.TryGetValue(Principals.TenantClaim, out var t) ? t?.ToString() : null;
        if (!Principals.IsTenantId(tenant)) return AuthenticateResult.Fail("The bearer token has no valid 'tenant' claim.");
        return Success(new Claim(Principals.TenantClaim, tenant!), new Claim("sub", result.Claims.TryGetValue("sub", out var sub) ? sub?.ToString() ?? "" : ""));
    }

    private AuthenticateResult Success(params Claim[] claims) =>
        AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, Principals.Scheme)), Principals.Scheme));

    private static bool IsLivePath(PathString path) =>
        path.StartsWithSegments("/hubs") || (path.Value?.EndsWith("/events", StringComparison.Ordinal) ?? false);

    private static bool Same(string given, string expected) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var failure = (await HandleAuthenticateOnceSafeAsync()).Failure?.Message;
        Response.Headers.WWWAuthenticate = "Bearer";
        await Problems.Unauthorized(failure ?? "Send an API key (X-Api-Key header) or a bearer token (Authorization: Bearer …).").ExecuteAsync(Context);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Problems.Of(StatusCodes.Status403Forbidden, "forbidden", "Not allowed.", "These credentials may not use this endpoint.").ExecuteAsync(Context);
}
