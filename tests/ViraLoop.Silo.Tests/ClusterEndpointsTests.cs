using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Xunit;

namespace ViraLoop.Silo.Tests;

/// <summary>The silo host in embedded mode: health, membership and dead-letter endpoints over HTTP.</summary>
public sealed class ClusterEndpointsTests : IClassFixture<ClusterEndpointsTests.Factory>
{
    private readonly HttpClient _http;

    public ClusterEndpointsTests(Factory factory) => _http = factory.CreateClient();

    public sealed class Factory : WebApplicationFactory<Program>
    {
        private readonly string _db = Path.Combine(Directory.CreateTempSubdirectory("vl-silo-").FullName, "state.db");

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseSetting("ViraLoop:Mode", "embedded");
            builder.UseSetting("ViraLoop:Database", _db);
            builder.UseSetting("ViraLoop:SiloId", "web-test-silo");
        }
    }

    [Fact]
    public async Task Health_NamesTheSilo()
    {
        using var doc = JsonDocument.Parse(await _http.GetStringAsync("/health"));
        Assert.Equal("web-test-silo", doc.RootElement.GetProperty("silo").GetString());
    }

    [Fact]
    public async Task Silos_ListsThisSiloAsActive()
    {
        using var doc = JsonDocument.Parse(await _http.GetStringAsync("/v1/cluster/silos"));
        var silo = doc.RootElement.EnumerateArray().Single(s => s.GetProperty("siloId").GetString() == "web-test-silo");
        Assert.Equal("Active", silo.GetProperty("status").GetString());
    }

    [Fact]
    public async Task DeadLetters_BadLimit_IsAProblemDetails400()
    {
        var r = await _http.GetAsync("/v1/cluster/dead-letters?limit=0");
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        Assert.Contains("limit", await r.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Queues_InEmbeddedMode_SaysWhatItNeeds()
    {
        var r = await _http.GetAsync("/v1/cluster/queues");
        Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        Assert.Contains("RabbitMqManagement", await r.Content.ReadAsStringAsync());
    }
}
