using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit;

namespace ViraLoop.Api.Tests;

/// <summary>
/// The <c>viraloop</c> command as a process (no terminal: plain progress lines) against the real API on a loopback port:
/// an admin makes a key, a tenant submits and follows a preview-sized video, lists, reads and downloads it, approves a
/// script; refusals are one line and exit 2, never a stack trace.
/// </summary>
public sealed class CliApiTests(KestrelApiFactory api) : IClassFixture<KestrelApiFactory>
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(4);

    private static async Task<(int Code, string Out, string Err)> CliAsync(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "viraloop.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var name in new[] { "VIRALOOP_API_URL", "VIRALOOP_API_KEY", "VIRALOOP_ADMIN_KEY" }) psi.Environment.Remove(name);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        try { await p.WaitForExitAsync().WaitAsync(Limit); }
        catch (TimeoutException)
        {
            p.Kill(entireProcessTree: true);
            throw;
        }
        return (p.ExitCode, await stdout, await stderr);
    }

    private async Task<string> KeyAsync(string tenant)
    {
        var (code, stdout, stderr) = await CliAsync("keys", "create", "--tenant", tenant, "--name", "cli-tests", "--api", api.BaseUrl, "--admin-key", ApiFactory.AdminKey);
        Assert.True(code == 0, $"keys create: exit {code}: {stderr}");
        return Regex.Match(stdout, @"secret:\s+(\S+)").Groups[1].Value;
    }

    private static void AssertOneLineError(string stderr, string contains)
    {
        Assert.Contains(contains, stderr);
        Assert.DoesNotContain("   at ", stderr);
        Assert.DoesNotContain("Exception", stderr);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("error: ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task KeysCreate_SubmitWait_ListGetDownload_PlanAndUsage()
    {
        var key = await KeyAsync("cli-co");
        Assert.StartsWith("vlk_", key);
        var keys = await CliAsync("keys", "list", "--tenant", "cli-co", "--api", api.BaseUrl, "--admin-key", ApiFactory.AdminKey, "--json");
        Assert.Equal(0, keys.Code);
        Assert.Contains("cli-tests", keys.Out);
        Assert.DoesNotContain(key, keys.Out); // the secret is shown once

        var (code, stdout, stderr) = await CliAsync("videos", "submit", "--topic", "How owls fly silently", "--duration", "5", "--preview", "--seed", "7",
            "--api", api.BaseUrl, "--key", key, "--wait");
        Assert.True(code == 0, $"exit {code}: {stdout} {stderr}");
        var id = Regex.Match(stdout, @"(v[a-z2-7]{20}) completed").Groups[1].Value;
        Assert.NotEmpty(id);
        Assert.Contains("%] ", stderr);               // plain progress lines without a terminal…
        Assert.False(stderr.Contains('\u001b', StringComparison.Ordinal), stderr); // …and no terminal escapes
        Assert.Contains("scenes ", stderr);

        var list = await CliAsync("videos", "list", "--status", "completed", "--api", api.BaseUrl, "--key", key, "--json");
        Assert.Equal(0, list.Code);
        Assert.Contains(JsonDocument.Parse(list.Out).RootElement.GetProperty("items").EnumerateArray(), v => v.GetProperty("id").GetString() == id);
        var table = await CliAsync("videos", "list", "--api", api.BaseUrl, "--key", key);
        Assert.Equal(0, table.Code);
        Assert.True(table.Out.Contains(id, StringComparison.Ordinal), table.Out);
        var get = await CliAsync("videos", "get", id, "--api", api.BaseUrl, "--key", key, "--json");
        Assert.Equal(0, get.Code);
        var view = JsonDocument.Parse(get.Out).RootElement;
        Assert.Equal(("completed", 100.0), (view.GetProperty("status").GetString(), view.GetProperty("percent").GetDouble()));

        var dir = Directory.CreateTempSubdirectory("vl-cli-download-").FullName;
        try
        {
            var download = await CliAsync("videos", "download", id, "--out", dir, "--what", "all", "--api", api.BaseUrl, "--key", key);
            Assert.True(download.Code == 0, $"download: exit {download.Code}: {download.Err}");
            foreach (var f in new[] { "video.mp4", "thumbnail.jpg", "captions.ass", "manifest.json", "hls/index.m3u8" })
                Assert.True(File.Exists(Path.Combine(dir, f)), $"{f} is missing");
            var (width, height, audio) = await ProbeAsync(Path.Combine(dir, "video.mp4"));
            Assert.Equal(9 * height, 16 * width);
            Assert.True(audio, "the video has no audio stream");
        }
        finally { Directory.Delete(dir, recursive: true); }

        var plan = await CliAsync("plan", "set", "--tenant", "cli-co", "--videos-per-day", "50", "--api", api.BaseUrl, "--admin-key", ApiFactory.AdminKey, "--json");
        Assert.True(plan.Code == 0, plan.Err);
        Assert.Equal(50, JsonDocument.Parse(plan.Out).RootElement.GetProperty("videosPerDay").GetInt32());
        var usage = await CliAsync("usage", "--api", api.BaseUrl, "--key", key, "--json");
        Assert.True(usage.Code == 0, usage.Err);
        var u = JsonDocument.Parse(usage.Out).RootElement;
        Assert.Equal((1, 50), (u.GetProperty("videosToday").GetInt32(), u.GetProperty("plan").GetProperty("videosPerDay").GetInt32()));
    }

    [Fact]
    public async Task Experiments_Simulate_MetricsSendAndImport_AndTheirRefusals()
    {
        var key = await KeyAsync("cli-loop-co");
        string[] Remote(params string[] args) => [.. args, "--api", api.BaseUrl, "--key", key];

        var created = await CliAsync(Remote("experiments", "create", "--name", "CLI hooks", "--arms", "3", "--control", "mood=calm", "--seed", "4", "--json"));
        Assert.True(created.Code == 0, created.Err);
        var view = JsonDocument.Parse(created.Out).RootElement;
        Assert.Equal("cli-hooks", view.GetProperty("id").GetString());
        Assert.Equal(4, view.GetProperty("arms").GetArrayLength());
        Assert.Equal("calm", view.GetProperty("arms")[0].GetProperty("genome").GetProperty("mood").GetString());

        // The simulator drives a small experiment through the API: one line per round, then the comparison.
        var sim = await CliAsync(Remote("simulate", "--experiment", "cli-sim", "--arms", "4", "--rounds", "3", "--videos", "6", "--impressions", "200",
            "--min-exposures", "300", "--seed", "3"));
        Assert.True(sim.Code == 0, sim.Err + sim.Out);
        Assert.Equal(3, Regex.Matches(sim.Out, @"^round +\d+: generation", RegexOptions.Multiline).Count);
        Assert.Contains("true rate of the first generation's arms", sim.Out);
        var table = await CliAsync(Remote("experiments", "get", "cli-sim"));
        Assert.True(table.Code == 0, table.Err);
        Assert.Contains("control", table.Out);
        Assert.Contains("P(best)", table.Out);
        var list = await CliAsync(Remote("experiments", "list", "--json"));
        Assert.Equal(["cli-hooks", "cli-sim"], JsonDocument.Parse(list.Out).RootElement.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("id").GetString()).Order());

        // Events from a file, twice: the second time changes nothing.
        var experiment = JsonDocument.Parse((await CliAsync(Remote("experiments", "get", "cli-sim", "--json"))).Out).RootElement;
        var video = experiment.GetProperty("allocations")[0].GetProperty("videoId").GetString()!;
        long Impressions(JsonElement e) => e.GetProperty("arms").EnumerateArray().Sum(a => a.GetProperty("impressions").GetInt64());
        var before = Impressions(experiment);
        var file = Path.Combine(Directory.CreateTempSubdirectory("vl-cli-metrics-").FullName, "events.json");
        await File.WriteAllTextAsync(file, JsonSerializer.Serialize(Enumerable.Range(0, 25).Select(i => new { id = $"cli-{i}", videoId = video, kind = "impression", platform = "own-player" })));
        var sent = await CliAsync(Remote("metrics", "send", file));
        Assert.True(sent.Code == 0, sent.Err);
        Assert.Contains("25 events taken", sent.Out);
        Assert.Equal(0, (await CliAsync(Remote("metrics", "send", file))).Code);
        Assert.Equal(before + 25, Impressions(JsonDocument.Parse((await CliAsync(Remote("experiments", "get", "cli-sim", "--json"))).Out).RootElement));

        var report = Path.Combine(Path.GetDirectoryName(file)!, "tiktok.json");
        await File.WriteAllTextAsync(report, """{"data":{"videos":[{"id":"7301","view_count":40,"like_count":3,"share_count":1},{"id":"7302","view_count":9}]},"error":{"code":"ok","message":""}}""");
        var imported = await CliAsync(Remote("metrics", "import", "tiktok", "--report", report, "--video", $"7301={video}", "--day", "2026-12-01"));
        Assert.True(imported.Code == 0, imported.Err + imported.Out);
        Assert.Contains("skipped platform videos not mapped: 7302", imported.Out);

        // Refusals: one line on stderr, exit 2.
        foreach (var (args, says) in new (string[] Args, string Says)[]
        {
            (Remote("simulate", "--rounds", "0"), "--rounds"),
            (Remote("experiments", "get", "no-such-experiment"), "404"),
            (Remote("experiments", "create", "--name", "bad", "--control", "font=comic"), "unknown gene 'font'"),
            (Remote("metrics", "send", file + ".missing"), "No file"),
            (Remote("metrics", "import", "myspace", "--report", report, "--video", $"1={video}"), "404"),
            (Remote("metrics", "import", "tiktok", "--report", report, "--video", "7301"), "PLATFORM_ID=OUR_VIDEO_ID"),
            (["experiments", "list", "--cluster"], "--api"),
        })
        {
            var r = await CliAsync(args);
            Assert.True(r.Code == 2, $"{string.Join(' ', args)}: exit {r.Code}: {r.Err}");
            AssertOneLineError(r.Err, says);
        }
    }

    [Fact]
    public async Task Refusals_AreOneLine_WithExitCode2_AndNoStackTrace()
    {
        var key = await KeyAsync("cli-owner");
        var submitted = await CliAsync("videos", "submit", "--topic", "Why bees dance", "--duration", "5", "--preview", "--approval", "--api", api.BaseUrl, "--key", key, "--json");
        Assert.True(submitted.Code == 0, submitted.Err);
        var id = JsonDocument.Parse(submitted.Out).RootElement.GetProperty("id").GetString()!;

        var wrongKey = await CliAsync("videos", "get", id, "--api", api.BaseUrl, "--key", "vlk_not-a-key");
        Assert.Equal(2, wrongKey.Code);
        AssertOneLineError(wrongKey.Err, "(401");

        var other = await KeyAsync("cli-other");
        var notFound = await CliAsync("videos", "get", id, "--api", api.BaseUrl, "--key", other);
        Assert.Equal(2, notFound.Code);
        AssertOneLineError(notFound.Err, "Not found.");
        var notFoundWatch = await CliAsync("videos", "watch", id, "--api", api.BaseUrl, "--key", other);
        Assert.Equal(2, notFoundWatch.Code);
        AssertOneLineError(notFoundWatch.Err, "(404");

        var badInput = await CliAsync("videos", "submit", "--topic", "Cats", "--duration", "500", "--api", api.BaseUrl, "--key", key);
        Assert.Equal(2, badInput.Code);
        AssertOneLineError(badInput.Err, "durationSeconds");
        var badOption = await CliAsync("videos", "download", id, "--what", "everything", "--api", api.BaseUrl, "--key", key);
        Assert.Equal(2, badOption.Code);
        Assert.DoesNotContain("   at ", badOption.Err);
        var wrongAdmin = await CliAsync("keys", "create", "--tenant", "cli-owner", "--api", api.BaseUrl, "--admin-key", "wrong");
        Assert.Equal(2, wrongAdmin.Code);
        AssertOneLineError(wrongAdmin.Err, "error: ");
        var unreachable = await CliAsync("videos", "list", "--api", "http://127.0.0.1:1", "--key", key);
        Assert.Equal(1, unreachable.Code);
        AssertOneLineError(unreachable.Err, "Cannot reach the API at http://127.0.0.1:1");

        var cancel = await CliAsync("videos", "cancel", id, "--reason", "not needed", "--api", api.BaseUrl, "--key", key);
        Assert.True(cancel.Code == 0, cancel.Err);
    }

    [Fact]
    public async Task Approval_SubmitWaitsForTheScript_ThenApproveWaitsForTheVideo()
    {
        var key = await KeyAsync("cli-editor");
        var (code, stdout, stderr) = await CliAsync("videos", "submit", "--topic", "Why the sky is blue", "--duration", "5", "--preview", "--seed", "4",
            "--approval", "--wait", "--api", api.BaseUrl, "--key", key);
        Assert.True(code == 0, $"exit {code}: {stdout} {stderr}");
        var id = Regex.Match(stdout, @"(v[a-z2-7]{20}) awaiting-approval").Groups[1].Value;
        Assert.NotEmpty(id);

        var script = await CliAsync("videos", "script", id, "--api", api.BaseUrl, "--key", key, "--json");
        Assert.True(script.Code == 0, script.Err);
        Assert.NotEmpty(JsonDocument.Parse(script.Out).RootElement.GetProperty("scenes").EnumerateArray());

        var approved = await CliAsync("videos", "approve", id, "--wait", "--api", api.BaseUrl, "--key", key, "--json");
        Assert.True(approved.Code == 0, $"exit {approved.Code}: {approved.Err}");
        Assert.Equal("completed", JsonDocument.Parse(approved.Out).RootElement.GetProperty("status").GetString());

        var again = await CliAsync("videos", "approve", id, "--api", api.BaseUrl, "--key", key);
        Assert.Equal(2, again.Code); // 409: nothing awaits approval any more
        AssertOneLineError(again.Err, "(409");
    }

    [Fact]
    public async Task Cluster_WithoutACheckout_SaysSoAndExits2()
    {
        var empty = Directory.CreateTempSubdirectory("vl-no-repo-").FullName;
        try
        {
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "viraloop.dll"));
            foreach (var a in new[] { "cluster", "stop" }) psi.ArgumentList.Add(a);
            psi.Environment["VIRALOOP_REPO"] = empty;
            using var p = Process.Start(psi)!;
            var err = p.StandardError.ReadToEndAsync();
            await p.StandardOutput.ReadToEndAsync();
            await p.WaitForExitAsync().WaitAsync(Limit);
            Assert.Equal(2, p.ExitCode);
            AssertOneLineError(await err, "is not a ViraLoop checkout");
        }
        finally { Directory.Delete(empty, recursive: true); }
    }

    private static async Task<(int Width, int Height, bool Audio)> ProbeAsync(string file)
    {
        var psi = new ProcessStartInfo("ffprobe") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-v", "error", "-show_entries", "stream=codec_type,width,height", "-of", "json", file }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var json = await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync().WaitAsync(Limit);
        Assert.Equal(0, p.ExitCode);
        var streams = JsonDocument.Parse(json).RootElement.GetProperty("streams").EnumerateArray().ToList();
        var video = streams.First(s => s.GetProperty("codec_type").GetString() == "video");
        return (video.GetProperty("width").GetInt32(), video.GetProperty("height").GetInt32(), streams.Any(s => s.GetProperty("codec_type").GetString() == "audio"));
    }
}
