using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Xunit;

namespace ViraLoop.Api.Tests;

/// <summary>Who may call what, and what a bad request gets back: a problem a person understands, never a stack trace.</summary>
public sealed class AuthAndValidationTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task NoCredentials_WrongKey_AndRevokedKey_Get401Problems()
    {
        using var anonymous = api.CreateClient();
        var none = await Problem.AssertAsync(await anonymous.GetAsync("/v1/videos"), HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Contains("X-Api-Key", none.GetProperty("detail").GetString());

        using var wrong = api.CreateClient();
        wrong.DefaultRequestHeaders.Add("X-Api-Key", "vlk_thisKeyWasNeverIssuedToAnyoneAtAll0000000");
        var bad = await Problem.AssertAsync(await wrong.GetAsync("/v1/videos"), HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Contains("not known or was revoked", bad.GetProperty("detail").GetString());

        var (http, key) = await api.TenantAsync("revoked-co");
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/v1/videos")).StatusCode);
        using var admin = api.Admin();
        var keys = await admin.GetFromJsonAsync<JsonElement>("/v1/admin/tenants/revoked-co/keys");
        var keyId = keys.EnumerateArray().Single().GetProperty("keyId").GetString();
        Assert.DoesNotContain(key, keys.ToString()); // the secret is never shown again, nor its hash
        Assert.DoesNotContain("hash", keys.ToString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/v1/admin/tenants/revoked-co/keys/{keyId}")).StatusCode);
        await Problem.AssertAsync(await http.GetAsync("/v1/videos"), HttpStatusCode.Unauthorized, "unauthorized");
        await Problem.AssertAsync(await admin.DeleteAsync($"/v1/admin/tenants/revoked-co/keys/{keyId}"), HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task AdminEndpoints_RefuseTenantKeys_AndWrongAdminKeys()
    {
        var (tenant, _) = await api.TenantAsync("plain-co");
        await Problem.AssertAsync(await tenant.PostAsJsonAsync("/v1/admin/tenants/plain-co/keys", new { name = "x" }), HttpStatusCode.Forbidden, "forbidden");
        using var wrong = api.CreateClient();
        wrong.DefaultRequestHeaders.Add("X-Admin-Key", "not-the-admin-key");
        await Problem.AssertAsync(await wrong.GetAsync("/v1/admin/tenants/plain-co/plan"), HttpStatusCode.Unauthorized, "unauthorized");
        using var admin = api.Admin();
        await Problem.AssertAsync(await admin.PostAsJsonAsync("/v1/admin/tenants/Bad Tenant!/keys", new { }), HttpStatusCode.BadRequest, "invalid-request");
        // An admin is not a tenant: it sees no videos.
        await Problem.AssertAsync(await admin.GetAsync("/v1/videos"), HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task Jwt_WithTenantClaim_IsAccepted_BadSignatureAndExpiry_AreNot()
    {
        using var good = api.Bearer(ApiFactory.Token("jwt-co"));
        Assert.Equal(HttpStatusCode.OK, (await good.GetAsync("/v1/videos")).StatusCode);

        using var forged = api.Bearer(ApiFactory.Token("jwt-co", signingKey: "another-signing-key-that-is-long-enough-123"));
        var f = await Problem.AssertAsync(await forged.GetAsync("/v1/videos"), HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Contains("signature", f.GetProperty("detail").GetString());

        using var expired = api.Bearer(ApiFactory.Token("jwt-co", expires: DateTime.UtcNow.AddMinutes(-10)));
        var e = await Problem.AssertAsync(await expired.GetAsync("/v1/videos"), HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Contains("expired", e.GetProperty("detail").GetString());

        using var otherIssuer = api.Bearer(ApiFactory.Token("jwt-co", issuer: "someone-else"));
        await Problem.AssertAsync(await otherIssuer.GetAsync("/v1/videos"), HttpStatusCode.Unauthorized, "unauthorized");
    }

    public static TheoryData<string, string> BadBodies => new()
    {
        { "", "empty" },
        { "[1,2]", "not a valid JSON object" },
        { "{\"topic\":", "not a valid JSON object" },
        { "null", "not null" },
        { "{}", "topic: required" },
        { "{\"topic\":\"   \"}", "topic: required" },
        { "{\"topic\":\"Cats\",\"colour\":\"red\"}", "Unknown field 'colour'" },
        { "{\"topic\":\"Cats\",\"durationSeconds\":\"thirty\"}", "Field 'durationSeconds' has the wrong type" },
        { "{\"topic\":42}", "Field 'topic' has the wrong type" },
        { "{\"topic\":\"Cats\",\"durationSeconds\":500}", "durationSeconds: between 5 and 180" },
        { "{\"topic\":\"Cats\",\"durationSeconds\":2}", "durationSeconds: between 5 and 180" },
        { "{\"topic\":\"Ca\\u0000ts\"}", "control" },
        { "{\"topic\":\"Cats \\u202Ereversed\"}", "direction-override" },
        { "{\"topic\":\"Cats\\nand dogs\"}", "control" },
        { "{\"topic\":\"\\ud83d\"}", "topic" },
        { "{\"topic\":\"Cats\",\"preview\":\"yes\"}", "Field 'preview' has the wrong type" },
        { "{\"topic\":\"Cats\",\"style\":\"../../etc/passwd\"}", "style: 1–32 letters" },
        { "{\"topic\":\"Cats\",\"priority\":\"urgent\"}", "Unknown priority" },
        { "{\"topic\":\"Cats\",\"priority\":\"high\"}", "above your plan's ceiling" },
        { "{\"topic\":\"Cats\",\"visualBackend\":\"dall-e-9\"}", "Unknown visual backend" },
        { "{\"topic\":\"Cats\",\"text\":\"Hello\",\"scenes\":[{\"text\":\"Hi\"}]}", "either text or scenes" },
        { "{\"topic\":\"Cats\",\"scenes\":[]}", "1 to 30 scenes" },
        { "{\"topic\":\"Cats\",\"scenes\":[{\"text\":\"Hi\",\"duration\":-1}]}", "between 1 and 60" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task BadBodies_Get400_WithTheReason(string body, string reason)
    {
        var (http, _) = await api.TenantAsync("validation-co");
        var r = await http.PostAsync("/v1/videos", new StringContent(body, Encoding.UTF8, "application/json"));
        var problem = await Problem.AssertAsync(r, HttpStatusCode.BadRequest, "invalid-request");
        Assert.Contains(reason, problem.GetProperty("detail").GetString());
        var list = await http.GetFromJsonAsync<JsonElement>("/v1/videos");
        Assert.Equal(0, list.GetProperty("total").GetInt32()); // nothing was created
    }

    [Fact]
    public async Task HugeBodies_AndOtherContentTypes_AreRefused()
    {
        var (http, _) = await api.TenantAsync("size-co");
        var huge = JsonSerializer.Serialize(new { topic = "Cats", text = new string('a', 70_000) });
        await Problem.AssertAsync(await http.PostAsync("/v1/videos", new StringContent(huge, Encoding.UTF8, "application/json")), HttpStatusCode.RequestEntityTooLarge);
        var longTopic = JsonSerializer.Serialize(new { topic = new string('b', 201) });
        var p = await Problem.AssertAsync(await http.PostAsync("/v1/videos", new StringContent(longTopic, Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest);
        Assert.Contains("at most 200 characters", p.GetProperty("detail").GetString());
        await Problem.AssertAsync(await http.PostAsync("/v1/videos", new StringContent("topic=Cats", Encoding.UTF8, "application/x-www-form-urlencoded")), HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task UnknownIds_AndUnknownPaths_Are404Problems()
    {
        var (http, _) = await api.TenantAsync("lost-co");
        await Problem.AssertAsync(await http.GetAsync("/v1/videos/vaaaaaaaaaaaaaaaaaaaa"), HttpStatusCode.NotFound, "not-found");
        await Problem.AssertAsync(await http.GetAsync("/v1/videos/..%2F..%2Fetc%2Fpasswd"), HttpStatusCode.NotFound, "not-found");
        await Problem.AssertAsync(await http.GetAsync("/v1/videos/vaaaaaaaaaaaaaaaaaaaa/video.mp4"), HttpStatusCode.NotFound, "not-found");
        await Problem.AssertAsync(await http.GetAsync("/v1/nothing-here"), HttpStatusCode.NotFound, "not-found");
        await Problem.AssertAsync(await http.GetAsync("/v1/videos?status=sleeping"), HttpStatusCode.BadRequest, "invalid-request");
        await Problem.AssertAsync(await http.GetAsync("/v1/videos?limit=1000"), HttpStatusCode.BadRequest, "invalid-request");
        await Problem.AssertAsync(await http.GetAsync("/v1/videos?cursor=-3"), HttpStatusCode.BadRequest, "invalid-request");
    }

    [Fact]
    public async Task OpenApiDocument_DescribesTheVideoEndpoints()
    {
        using var http = api.CreateClient();
        var doc = await http.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = doc.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/v1/videos", out var videos));
        Assert.True(videos.TryGetProperty("post", out _));
        Assert.True(paths.TryGetProperty("/v1/videos/{id}/video.mp4", out _));
        Assert.True(paths.TryGetProperty("/v1/admin/tenants/{tenant}/keys", out _));
        Assert.Contains("CreateVideoBody", doc.GetProperty("components").GetProperty("schemas").ToString());
    }
}
