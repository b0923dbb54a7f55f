using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using ViraLoop.Api.Auth;
using ViraLoop.Contracts;
using ViraLoop.Api.Videos;
using ViraLoop.Grains;
using ViraLoop.Grains.Messages;

namespace ViraLoop.Api.Admin;

public sealed record CreateKeyBody
{
    public string? Name { get; init; }
}

/// <summary>A key as the admin endpoints show it; <see cref="Secret"/> only in the answer that created it.</summary>
public sealed record KeyView(string KeyId, string Tenant, string Name, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt, string? Secret = null);

/// <summary><c>/v1/admin</c> (header <c>X-Admin-Key</c>): tenants' API keys and plans.</summary>
public static class AdminEndpoints
{
    public static RouteGroupBuilder MapAdminEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/v1/admin/tenants/{tenant}").RequireAuthorization(Principals.AdminPolicy).WithTags("admin");
        g.MapPost("/keys", async (string tenant, HttpContext http, ApiKeys keys) =>
        {
            if (!Principals.IsTenantId(tenant)) return Problems.BadRequest("tenant: 1–63 lower-case letters, digits or dashes, starting with a letter or digit.");
            var (body, error, status) = await BodyReader.ReadAsync<CreateKeyBody>(http.Request, optional: true);
            if (error is not null) return Problems.Body(status, error);
            var errors = new List<string>();
            var name = VideoValidation.Text(body?.Name, "name", 1, 100, errors, required: false, multiline: false) ?? "key";
            if (errors.Count > 0) return Problems.BadRequest(string.Join(" ", errors));
            var (secret, key) = await keys.CreateAsync(tenant, name);
            return Results.Created($"/v1/admin/tenants/{tenant}/keys/{key.KeyId}", View(key) with { Secret = secret });
        }).Accepts<CreateKeyBody>("application/json").Produces<KeyView>(201);
        g.MapGet("/keys", async (string tenant, IGrainFactory grains) =>
            !Principals.IsTenantId(tenant) ? Problems.NotFound("tenant")
                : Results.Ok((await grains.GetGrain<ITenantGrain>(tenant).ListKeys()).Select(View).ToList())).Produces<List<KeyView>>();
        g.MapDelete("/keys/{keyId}", async (string tenant, string keyId, ApiKeys keys) =>
            Principals.IsTenantId(tenant) && keyId.Length == 12 && await keys.RevokeAsync(tenant, keyId) ? Results.NoContent() : Problems.NotFound("key"));
        g.MapGet("/plan", async (string tenant, IGrainFactory grains) =>
            !Principals.IsTenantId(tenant) ? Problems.NotFound("tenant") : Results.Ok(await grains.GetGrain<ITenantGrain>(tenant).GetPlan())).Produces<TenantPlanSettings>();
        g.MapPut("/plan", async (string tenant, HttpContext http, IGrainFactory grains, RateLimits limits) =>
        {
            if (!Principals.IsTenantId(tenant)) return Problems.BadRequest("tenant: 1–63 lower-case letters, digits or dashes, starting with a letter or digit.");
            var (body, error, status) = await BodyReader.ReadAsync<TenantPlanSettings>(http.Request);
            if (body is null) return Problems.Body(status, error!);
            try
            {
                var plan = await grains.GetGrain<ITenantGrain>(tenant).SetPlan(body);
                limits.Forget(tenant);
                return Results.Ok(plan);
            }
            catch (ArgumentException e) { return Problems.BadRequest(e.Message); }
        }).Accepts<TenantPlanSettings>("application/json").Produces<TenantPlanSettings>();
        return g;
    }

    private static KeyView View(ApiKeyInfo k) => new(k.KeyId, k.TenantId, k.Name, k.CreatedAt, k.RevokedAt);
}
