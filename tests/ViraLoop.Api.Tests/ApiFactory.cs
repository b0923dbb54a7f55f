using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Xunit;

namespace ViraLoop.Api.Tests;

/// <summary>
/// The silo host (src/Silo) in embedded mode over an in-memory test server: one Orleans silo with SQLite state, the real
/// pipeline (espeak-ng, ffmpeg), the API, the hub. An admin key and a JWT signing key are configured.
/// </summary>
public class ApiFactory : WebApplicationFactory<Program>
{
    public const string AdminKey = "test-admin-key-0123456789";
    public const string JwtKey = "test-jwt-signing-key-0123456789-abcdefghij";
    private readonly string _dir = Directory.CreateTempSubdirectory("vl-api-").FullName;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("ViraLoop:Mode", "embedded");
        builder.UseSetting("ViraLoop:Database", Path.Combine(_dir, "state.db"));
        builder.UseSetting("ViraLoop:SiloId", "api-test-silo");
        builder.UseSetting("ViraLoop:SiloPort", "0");
        builder.UseSetting("ViraLoop:GatewayPort", "0");
        builder.UseSetting("ViraLoop:AdminKey", AdminKey);
        builder.UseSetting("ViraLoop:JwtSigningKey", JwtKey);
        builder.UseSetting("ViraLoop:JwtIssuer", "viraloop-tests");
        builder.UseSetting("ViraLoop:ClickHouse", ClickHouse ?? "embedded");
    }

    /// <summary>The analytics store: null for the embedded SQLite store (whatever VIRALOOP_CLICKHOUSE says), or a ClickHouse URL.</summary>
    protected virtual string? ClickHouse => null;

    public HttpClient Admin()
    {
        var http = CreateClient();
        http.DefaultRequestHeaders.Add("X-Admin-Key", AdminKey);
        return http;
    }

    /// <summary>A new API key for the tenant (through the admin endpoint) and a client that sends it.</summary>
    public async Task<(HttpClient Http, string Key)> TenantAsync(string tenant)
    {
        using var admin = Admin();
        var r = await admin.PostAsJsonAsync($"/v1/admin/tenants/{tenant}/keys", new { name = "tests" });
        Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        var key = (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString()!;
        var http = CreateClient();
        http.DefaultRequestHeaders.Add("X-Api-Key", key);
        return (http, key);
    }

    public static string Token(string tenant, string signingKey = JwtKey, DateTime? expires = null, string issuer = "viraloop-tests")
    {
        var until = expires ?? DateTime.UtcNow.AddHours(1);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Claims = new Dictionary<string, object> { ["tenant"] = tenant, ["sub"] = "user-1" },
            NotBefore = until.AddHours(-2),
            IssuedAt = until.AddHours(-2),
            Expires = until,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(signingKey)), SecurityAlgorithms.HmacSha256),
        });
    }

    public HttpClient Bearer(string token)
    {
        var http = CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}

/// <summary>Problem details as the API answers them.</summary>
public static class Problem
{
    public static async Task<JsonElement> AssertAsync(HttpResponseMessage r, HttpStatusCode status, string? type = null)
    {
        var text = await r.Content.ReadAsStringAsync();
        Assert.True(status == r.StatusCode, $"expected {(int)status}, got {(int)r.StatusCode}: {text}");
        Assert.StartsWith("application/problem+json", r.Content.Headers.ContentType?.ToString() ?? "");
        Assert.DoesNotContain("   at ", text);
        Assert.DoesNotContain("Exception", text);
        var doc = JsonDocument.Parse(text).RootElement;
        if (type is not null) Assert.Equal("https://viraloop.dev/problems/" + type, doc.GetProperty("type").GetString());
        Assert.False(string.IsNullOrWhiteSpace(doc.GetProperty("detail").GetString()));
        return doc;
    }
}
