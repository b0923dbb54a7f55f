using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Xunit;

namespace ViraLoop.Api.Tests;

/// <summary>The API factory on a real Kestrel port, for a real browser.</summary>
public sealed class KestrelApiFactory : ApiFactory
{
    public KestrelApiFactory() => UseKestrel(0);

    public string BaseUrl
    {
        get
        {
            StartServer();
            return Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        }
    }
}

/// <summary>
/// The editor page in Debian's Chromium (driven by Playwright through its executable path; Playwright's own browser
/// download is never used), on a phone-sized viewport: an error shown plainly, submit, live progress, the approval step
/// with an edited script, and a video element that plays the finished video. Screenshots are kept as test artefacts.
/// </summary>
public sealed class EditorBrowserTests(KestrelApiFactory api) : IClassFixture<KestrelApiFactory>
{
    private static readonly string Chromium = Environment.GetEnvironmentVariable("VIRALOOP_CHROMIUM") ?? "/usr/bin/chromium";

    public static string Artefacts => Directory.CreateDirectory(Environment.GetEnvironmentVariable("VIRALOOP_ARTIFACTS") is { Length: > 0 } a
        ? Path.Combine(a, "screenshots") : Path.Combine(AppContext.BaseDirectory, "screenshots")).FullName;

    [Fact]
    public async Task Editor_SubmitApproveAndPlay_OnAPhoneSizedViewport_FromTheKeyboard()
    {
        Assert.True(File.Exists(Chromium), $"Chromium is not at {Chromium}: run scripts/deps.sh (apt-get install chromium).");
        var baseUrl = api.BaseUrl;
        var (http, key) = await api.TenantAsync("editor-co");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox"] });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 390, Height = 844 } });
        var consoleErrors = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error") consoleErrors.Add(m.Text); };
        page.PageError += (_, e) => consoleErrors.Add(e);

        await page.GotoAsync(baseUrl + "/");
        Assert.EndsWith("/editor/", page.Url);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Artefacts, "editor-1-empty.png"), FullPage = true });

        // No key: said plainly, nothing sent.
        await page.FillAsync("#topic", "Why the sea is salty");
        await page.ClickAsync("#submit");
        Assert.Contains("API key", await page.InnerTextAsync("#error"));

        // A request the API refuses: its reason on the page.
        await page.FillAsync("#apiKey", key);
        await page.DispatchEventAsync("#apiKey", "change");
        await page.FillAsync("#duration", "500");
        await page.ClickAsync("#submit");
        await page.WaitForSelectorAsync("#error:not([hidden]) >> text=between 5 and 180");
        await page.ScreenshotAsync(new() { Path = Path.Combine(Artefacts, "editor-2-error.png"), FullPage = true });

        // A topic the content policy refuses: the category and the passage on the page, as text.
        await page.FillAsync("#duration", "5");
        await page.FillAsync("#topic", "How to make a pipe bomb <script>alert(1)</script>");
        await page.ClickAsync("#submit");
        await page.WaitForSelectorAsync("#error:not([hidden]) >> text=content policy refuses this (dangerous)");
        Assert.Contains("<script>alert(1)</script>", await page.InnerTextAsync("#error"));
        await page.FillAsync("#topic", "Why the sea is salty");

        // Submit from the keyboard: Enter in the form.
        await page.CheckAsync("#approval");
        await page.FocusAsync("#topic");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForSelectorAsync("#approve:not([hidden])", new() { Timeout = 120_000 });
        await page.ScreenshotAsync(new() { Path = Path.Combine(Artefacts, "editor-3-approval.png"), FullPage = true });

        // Edit the first scene's narration and approve with the keyboard.
        const string edited = "Rivers carry salt into the sea, and the sun takes only the water back.";
        await page.FillAsync("#narration li:first-child textarea", edited);
        await page.FocusAsync("#approveButton");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForSelectorAsync("#result:not([hidden])", new() { Timeout = 180_000 });
        await page.WaitForFunctionAsync("() => document.getElementById('player').readyState >= 1", null, new() { Timeout = 30_000 });
        var duration = await page.EvaluateAsync<double>("() => document.getElementById('player').duration");
        Assert.InRange(duration, 4.5, 6.5);
        Assert.Equal("100 %", await page.InnerTextAsync("#percent"));
        Assert.Equal("completed", (await page.InnerTextAsync("#status")).Trim().ToLowerInvariant());
        // The content credentials: who signed the MP4's C2PA manifest, when, and what it records.
        var credentials = await page.InnerTextAsync("#provenance");
        Assert.Contains("Content credentials (C2PA): signed by ViraLoop Development Signer", credentials);
        Assert.Contains("c2pa.created", credentials);
        var previews = await page.Locator("#sceneCards img").CountAsync();
        Assert.True(previews >= 1, "scene cards show their preview frames");
        // The video element really plays.
        await page.EvaluateAsync("() => { const v = document.getElementById('player'); v.muted = true; return v.play(); }");
        await page.WaitForFunctionAsync("() => document.getElementById('player').currentTime > 0.5", null, new() { Timeout = 20_000 });
        await page.ScreenshotAsync(new() { Path = Path.Combine(Artefacts, "editor-4-done.png"), FullPage = true });

        var videos = await http.GetFromJsonAsync<JsonElement>("/v1/videos?status=completed");
        var id = videos.GetProperty("items")[0].GetProperty("id").GetString();
        var script = await http.GetFromJsonAsync<JsonElement>($"/v1/videos/{id}/script");
        Assert.Equal(edited, script.GetProperty("scenes")[0].GetProperty("narration").GetString());
        // Script errors only: the refused request above is logged by the browser as a failed load, as it should be.
        Assert.DoesNotContain(consoleErrors, e => !e.StartsWith("Failed to load resource", StringComparison.Ordinal));
        // Nothing on the page overflows the phone's width.
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "no horizontal scrolling at 390 px");
    }
}
