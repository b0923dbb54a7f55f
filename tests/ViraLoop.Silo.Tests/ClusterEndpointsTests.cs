using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Xunit;

namespace ViraLoop.Silo.Tests;

/// <summary>The silo host in embedded mode (one Orleans silo, SQLite state): health, membership, metrics, dashboard over HTTP.</summary>
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
            builder.UseSetting("ViraLoop:SiloPort", "0");
            builder.UseSetting("ViraLoop:GatewayPort", "0");
        }
    }

    [Fact]
    public async Task Health_NamesTheSilo_OnceActive()
    {
        var r = await _http.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        using var doc = JsonDocument.Parse(await r.Content.ReadAsStringAsync());
        Assert.Equal("web-test-silo", doc.RootElement.GetProperty("silo").GetString());
        Assert.Equal("Active", doc.RootElement.GetProperty("siloStatus").GetString());
    }

    [Fact]
    public async Task Silos_ListsThisSiloAsActive_AndAsTheGpuSiloOfEmbeddedMode()
    {
        using var doc = JsonDocument.Parse(await _http.GetStringAsync("/v1/cluster/silos"));
        var silo = doc.RootElement.EnumerateArray().Single(s => s.GetProperty("name").GetString() == "web-test-silo");
        Assert.Equal("Active", silo.GetProperty("status").GetString());
        Assert.Contains("gpu", silo.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal("cpu", silo.GetProperty("gpuDevice").GetString());
        Assert.True(silo.GetProperty("gpuSlots").GetInt32() >= 1);
    }

    [Fact]
    public async Task Metrics_ArePrometheusText_WithOrleansMeters()
    {
        var r = await _http.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var text = await r.Content.ReadAsStringAsync();
        Assert.Contains("# TYPE orleans_", text);
    }

    [Fact]
    public async Task Dashboard_IsServed()
    {
        var r = await _http.GetAsync("/dashboard/");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Contains("<html", (await r.Content.ReadAsStringAsync()).ToLowerInvariant());
    }
}
