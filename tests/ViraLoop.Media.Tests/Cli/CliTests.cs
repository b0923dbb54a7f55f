using System.Diagnostics;

namespace ViraLoop.Media.Tests.Cli;

/// <summary>The viraloop command as a user runs it: exit codes and messages for bad input, a video for good input.</summary>
public sealed class CliTests
{
    private static async Task<(int Code, string Out, string Err)> RunAsync(IEnumerable<string> args, Dictionary<string, string>? env = null)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "viraloop.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in env ?? []) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        return (p.ExitCode, await o, await e);
    }

    [Theory]
    [InlineData("", "topic is empty")]
    [InlineData("--lang=xx", "Unknown language 'xx'")]
    [InlineData("--style=vaporwave", "Unknown style 'vaporwave'")]
    [InlineData("--duration=0", "out of range")]
    public async Task Generate_BadInput_ExitsWith2AndSaysWhy(string extra, string expected)
    {
        var args = new List<string> { "generate", "--topic", extra == "" ? "" : "Octopuses", "--out", Path.Combine(Path.GetTempPath(), "vl-cli-" + Guid.NewGuid().ToString("N")) };
        if (extra != "") args.Add(extra);
        var (code, _, err) = await RunAsync(args);
        Assert.Equal(2, code);
        Assert.Contains(expected, err);
        Assert.DoesNotContain("   at ", err); // no stack trace
    }

    [Fact]
    public async Task Generate_TenKilobyteTopic_ExitsWith2()
    {
        var (code, _, err) = await RunAsync(["generate", "--topic", new string('x', 10_240), "--out", Path.GetTempPath()]);
        Assert.Equal(2, code);
        Assert.Contains("at most 200", err);
    }

    [Fact]
    public async Task Generate_UnwritableOutput_ExitsWith2()
    {
        var file = Path.GetTempFileName();
        var (code, _, err) = await RunAsync(["generate", "--topic", "Octopuses", "--duration", "5", "--preview", "--out", Path.Combine(file, "sub")]);
        Assert.Equal(2, code);
        Assert.Contains("Cannot write to the output directory", err);
        File.Delete(file);
    }

    [Theory]
    [InlineData("VIRALOOP_FFMPEG", "apt-get install -y ffmpeg")]
    [InlineData("VIRALOOP_ESPEAK", "apt-get install -y espeak-ng")]
    public async Task Generate_MissingTool_ExitsWith3AndSaysHowToInstall(string variable, string install)
    {
        var (code, _, err) = await RunAsync(["generate", "--topic", "Octopuses", "--out", Path.GetTempPath()],
            new() { [variable] = "/nonexistent/tool" });
        Assert.Equal(3, code);
        Assert.Contains(install, err);
    }

    [Fact]
    public async Task Generate_MissingOption_ExitsWith2()
    {
        var (code, _, err) = await RunAsync(["generate"]);
        Assert.Equal(2, code);
        Assert.Contains("--topic", err);
    }

    [Fact]
    public async Task Generate_Topic_WritesVideoThumbnailAndManifest()
    {
        var dir = Path.Combine(Path.GetTempPath(), "vl-cli-" + Guid.NewGuid().ToString("N"));
        var (code, output, err) = await RunAsync(["generate", "--topic", "Why cats purr", "--duration", "5", "--preview", "--json", "--out", dir]);
        Assert.True(code == 0, err);
        Assert.Contains("video.mp4", output);
        foreach (var f in new[] { "video.mp4", "thumbnail.jpg", "manifest.json", "captions.ass" })
            Assert.True(new FileInfo(Path.Combine(dir, f)).Length > 100, f);
        var probe = await MediaProbe.ProbeAsync(Path.Combine(dir, "video.mp4"));
        Assert.InRange(MediaProbe.Duration(probe), 4.5, 5.5);
        Directory.Delete(dir, true);
    }
}
