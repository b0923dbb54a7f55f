using System.Diagnostics;

namespace ViraLoop.Media.Tests.Cli;

/// <summary>
/// <c>viraloop verify FILE</c> as a user runs it on real outputs: a fresh render (manifest valid, watermark found and
/// matching manifest.json), the same re-encoded the way platforms do (manifest gone, watermark still there), one byte
/// changed (the manifest does not verify), and a video ViraLoop never made (neither, said plainly).
/// </summary>
[Collection(RenderedVideosCollection.Name)]
public sealed class VerifyCliTests(RenderedVideos videos)
{
    private static async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "viraloop.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment.Remove("VIRALOOP_WATERMARK_KEY");
        using var p = Process.Start(psi)!;
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        return (p.ExitCode, await o, await e);
    }

    private static async Task<string> FfmpegAsync(string name, params string[] args)
    {
        var path = Path.Combine(Path.GetTempPath(), $"vl-verify-{Guid.NewGuid():N}-{name}");
        var r = await Tools.RunAsync(Tools.Ffmpeg, ["-v", "error", "-y", .. args, path]);
        Assert.True(r.ExitCode == 0, r.StdErr);
        return path;
    }

    [Fact]
    public async Task AFreshRender_HasAValidManifest_AndAWatermarkMatchingItsManifestJson()
    {
        var (code, stdout, stderr) = await RunAsync("verify", videos.English.VideoPath);
        Assert.True(code == 0, $"exit {code}: {stdout}{stderr}");
        Assert.Contains("C2PA manifest: valid", stdout);
        Assert.Contains("made by      ViraLoop/", stdout);
        Assert.Contains("c2pa.created", stdout);
        var payload = RenderedVideos.Manifest(videos.English).GetProperty("watermark").GetProperty("payload").GetString()!;
        Assert.Contains($"Watermark: payload {payload}", stdout);
        Assert.Contains("matches the payload in manifest.json", stdout);
    }

    [Fact]
    public async Task AReEncodedCopy_LosesTheManifest_ButTheWatermarkSaysWhereItCameFrom()
    {
        var copy = await FfmpegAsync("reencoded.mp4", "-i", videos.English.VideoPath, "-map_metadata", "-1", "-c:v", "libx264", "-crf", "28", "-c:a", "aac");
        try
        {
            var (code, stdout, _) = await RunAsync("verify", copy);
            Assert.True(code == 0, stdout);
            Assert.Contains("C2PA manifest: none", stdout);
            var payload = RenderedVideos.Manifest(videos.English).GetProperty("watermark").GetProperty("payload").GetString()!;
            Assert.Contains($"Watermark: payload {payload}", stdout);
            // The wrong key finds nothing.
            var (wrong, wrongOut, _) = await RunAsync("verify", copy, "--watermark-key", "not-the-key-it-was-made-with");
            Assert.Equal(1, wrong);
            Assert.Contains("Neither a C2PA manifest nor a ViraLoop watermark was found", wrongOut);
        }
        finally { File.Delete(copy); }
    }

    [Fact]
    public async Task OneChangedByte_MakesTheManifestFailToVerify()
    {
        var copy = Path.Combine(Path.GetTempPath(), $"vl-verify-{Guid.NewGuid():N}.mp4");
        File.Copy(videos.Gradient.VideoPath, copy);
        try
        {
            var bytes = await File.ReadAllBytesAsync(copy);
            bytes[^200] ^= 0x5A; // inside mdat, at the end of the file
            await File.WriteAllBytesAsync(copy, bytes);
            var (code, stdout, _) = await RunAsync("verify", copy, "--json");
            Assert.Equal(1, code);
            Assert.Contains("\"hashMatches\": false", stdout);
            var (_, text, _) = await RunAsync("verify", copy);
            Assert.Contains("present but NOT valid (the file's hash does not match)", text);
        }
        finally { File.Delete(copy); }
    }

    [Fact]
    public async Task AVideoViraLoopNeverMade_HasNeither_AndSaysSoPlainly()
    {
        var other = await FfmpegAsync("other.mp4", "-f", "lavfi", "-i", "testsrc2=size=540x960:rate=30", "-t", "3", "-c:v", "libx264", "-pix_fmt", "yuv420p");
        try
        {
            var (code, stdout, _) = await RunAsync("verify", other);
            Assert.Equal(1, code);
            Assert.Contains("C2PA manifest: none", stdout);
            Assert.Contains("Watermark: none found", stdout);
            Assert.Contains("Neither a C2PA manifest nor a ViraLoop watermark was found", stdout);
        }
        finally { File.Delete(other); }
        var (missing, _, err) = await RunAsync("verify", "/nonexistent/video.mp4");
        Assert.Equal(2, missing);
        Assert.Contains("File not found", err);
    }
}
