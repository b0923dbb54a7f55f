using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using ViraLoop.Grains.Execution;
using ViraLoop.Media.Tests.Visuals.Backends;
using ViraLoop.Media.Visuals.Backends;
using ViraLoop.Pipeline.Tests;
using Xunit;

namespace ViraLoop.Api.Tests;

/// <summary>A video made from a remote clip that strobes fails the flash check: the job fails saying why, and every download answers 451.</summary>
public sealed class WithheldVideoTests
{
    private sealed class RunwayApiFactory(RunwayContractServer server) : ApiFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(s => s.AddSingleton(new VisualBackendCatalog(() => VisualBackendCatalog.Procedural, new Dictionary<string, Func<IVisualBackend>>
            {
                ["runway"] = () => new RunwayVideoBackend(new HttpClient(), new RunwayBackendOptions(RunwayContractServer.Key, server.BaseUrl)),
            })));
        }
    }

    [Fact]
    public async Task AVideoThatFailsTheFlashCheck_Answers451OnItsDownloads_AndSaysWhy()
    {
        using var server = new RunwayContractServer(await VendorMedia.StrobeClipAsync());
        await using var api = new RunwayApiFactory(server);
        var (http, _) = await api.TenantAsync("strobe-co");
        var submitted = await http.PostAsJsonAsync("/v1/videos", new { topic = "Why lighthouses flash", durationSeconds = 5, preview = true, seed = 4, visualBackend = "runway" });
        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        var id = (await submitted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        // The live feed (SSE) to its end: the job's final event.
        await Sse.ReadAllAsync(http, $"/v1/videos/{id}/events", TimeSpan.FromSeconds(120),
            e => e.Type == "progress" && e.Data.GetProperty("status").GetString() is "failed" or "completed" or "cancelled");
        var video = await http.GetFromJsonAsync<JsonElement>($"/v1/videos/{id}");
        Assert.Equal("failed", video.GetProperty("status").GetString());
        Assert.Contains("not delivered", video.GetProperty("error").GetString());

        foreach (var file in new[] { "video.mp4", "thumbnail.jpg", "hls/index.m3u8" })
        {
            var problem = await Problem.AssertAsync(await http.GetAsync($"/v1/videos/{id}/{file}"), HttpStatusCode.UnavailableForLegalReasons, "withheld");
            Assert.Contains("flashes", problem.GetProperty("detail").GetString());
        }
    }
}
