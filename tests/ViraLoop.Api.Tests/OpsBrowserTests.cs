using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Xunit;

namespace ViraLoop.Api.Tests;

/// <summary>
/// The ops dashboard in Chromium with hostile strings in what it shows: a job refused by the content policy whose topic is
/// markup. The jobs page and the job's trace show it as text; nothing on the page runs it.
/// </summary>
public sealed class OpsBrowserTests(KestrelApiFactory api) : IClassFixture<KestrelApiFactory>
{
    private static readonly string Chromium = Environment.GetEnvironmentVariable("VIRALOOP_CHROMIUM") ?? "/usr/bin/chromium";

    [Fact]
    public async Task HostileStringsInARejectedJob_AreTextOnTheDashboard_NeverScript()
    {
        Assert.True(File.Exists(Chromium), $"Chromium is not at {Chromium}: run scripts/deps.sh (apt-get install chromium).");
        var (http, _) = await api.TenantAsync("ops-hostile");
        const string topic = "<img src=x onerror=alert(1)><script>alert(2)</script> I will kill you";
        var refused = await http.PostAsJsonAsync("/v1/videos", new { topic, durationSeconds = 5, preview = true });
        var problem = await Problem.AssertAsync(refused, HttpStatusCode.BadRequest, "moderation/violence");
        var id = problem.GetProperty("jobId").GetString()!;

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox"] });
        var page = await browser.NewPageAsync();
        var dialogs = new List<string>();
        page.Dialog += async (_, d) => { dialogs.Add(d.Message); await d.DismissAsync(); };
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);

        await page.GotoAsync(api.BaseUrl + "/ops/#jobs");
        await page.FillAsync("#adminKey", ApiFactory.AdminKey);
        await page.DispatchEventAsync("#adminKey", "change");
        await page.WaitForSelectorAsync($"#recentBody tr[data-job='{id}'] .badge[data-state='rejected']", new() { Timeout = 30_000 });
        // Its reason is among the recent failures, as text.
        await page.WaitForFunctionAsync("t => document.getElementById('failures').textContent.includes(t)", "<script>alert(2)</script>");
        Assert.Equal(0, await page.Locator("#failures img, #failures script").CountAsync());

        await page.GotoAsync(api.BaseUrl + $"/ops/#trace/ops-hostile/{id}");
        await page.WaitForSelectorAsync("#traceRows .name");
        var moderation = await page.Locator("#traceRows .name", new() { HasText = "job.moderation" }).First.GetAttributeAsync("title");
        Assert.True(moderation!.Contains("</script> I will kill you", StringComparison.Ordinal), moderation);
        Assert.Equal(0, await page.Locator("#traceRows img, #traceRows script").CountAsync());

        Assert.Empty(dialogs);
        Assert.Empty(errors);
    }
}
