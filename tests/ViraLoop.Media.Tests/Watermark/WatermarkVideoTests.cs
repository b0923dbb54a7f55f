using System.Globalization;
using System.Text.RegularExpressions;
using ViraLoop.Media.Pipeline;
using ViraLoop.Media.Watermark;
using Xunit.Abstractions;

namespace ViraLoop.Media.Tests.Watermark;

/// <summary>
/// The watermark on real renders (the shared previews and the short master): read back after the attacks a platform's
/// upload applies, absent where it was not embedded or under another key, and invisible by PSNR and SSIM.
/// </summary>
[Collection(RenderedVideosCollection.Name)]
public sealed partial class WatermarkVideoTests(RenderedVideos videos, ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vl-wm-tests-").FullName;

    private static ulong Expected(VideoResult r) =>
        WatermarkPayload.Parse(RenderedVideos.Manifest(r).GetProperty("watermark").GetProperty("payload").GetString()!);

    /// <summary>Applies an ffmpeg transformation to <paramref name="input"/> and returns the new file.</summary>
    private async Task<string> AttackAsync(string input, string name, params string[] args)
    {
        var output = Path.Combine(_dir, name + ".mp4");
        var r = await Tools.RunAsync(Tools.Ffmpeg, ["-hide_banner", "-loglevel", "error", "-y", "-i", input, .. args, output]);
        Assert.True(r.ExitCode == 0, r.StdErr);
        return output;
    }

    private async Task<WatermarkDetection> DetectAsync(string path, WatermarkKey? key = null)
    {
        var d = await WatermarkDetector.DetectAsync(path, key ?? WatermarkKey.Configured());
        output.WriteLine($"{Path.GetFileName(path)}: {d.Describe()}");
        return d;
    }

    [Fact]
    public void Manifest_RecordsPayloadAndKeyFingerprint()
    {
        var wm = RenderedVideos.Manifest(videos.Gradient).GetProperty("watermark");
        Assert.Matches("^[0-9a-f]{16}$", wm.GetProperty("payload").GetString());
        Assert.Equal(WatermarkKey.Configured().Fingerprint, wm.GetProperty("keyFingerprint").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, RenderedVideos.Manifest(videos.GradientUnmarked).GetProperty("watermark").ValueKind);
        // Each video its own id, so its own payload.
        Assert.NotEqual(Expected(videos.Gradient), Expected(videos.Geometric));
    }

    [Fact]
    public async Task DetectAsync_PreviewAfterReencodeCropAndRemux_ReadsPayload()
    {
        var source = videos.Gradient.VideoPath;
        var expected = Expected(videos.Gradient);
        var attacks = await Task.WhenAll(
            AttackAsync(source, "crf28", "-c:v", "libx264", "-preset", "veryfast", "-crf", "28", "-an"),
            AttackAsync(source, "crop10", "-vf", "crop=trunc(iw*0.9/2)*2:trunc(ih*0.9/2)*2", "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-an"),
            AttackAsync(source, "remux", "-map_metadata", "-1", "-map_chapters", "-1", "-c", "copy", "-f", "mov"));
        foreach (var path in attacks)
        {
            var d = await DetectAsync(path);
            Assert.True(d.Found, $"{Path.GetFileName(path)}: {d.Describe()}");
            Assert.Equal(expected, d.Payload);
            // The payload's bits are all right after error correction (asserted above); most raw coded bits already are.
            Assert.True(d.BitAccuracyAgainst(expected) >= 0.8, $"{Path.GetFileName(path)}: raw bit accuracy {d.BitAccuracyAgainst(expected):P1}");
        }
    }

    [Fact]
    public async Task DetectAsync_MasterDownscaledTo720At28_ReadsPayload()
    {
        var attacked = await AttackAsync(videos.Master.VideoPath, "master-720", "-vf", "scale=720:1280", "-c:v", "libx264", "-preset", "veryfast", "-crf", "28", "-an");
        var d = await DetectAsync(attacked);
        Assert.True(d.Found, d.Describe());
        Assert.Equal(Expected(videos.Master), d.Payload);
    }

    [Fact]
    public async Task DetectAsync_UnmarkedVideo_NotFound()
    {
        var d = await DetectAsync(videos.GradientUnmarked.VideoPath);
        Assert.False(d.Found, d.Describe());
        Assert.Null(d.Payload);
        Assert.True(d.SyncStrength < WatermarkAnalysis.SyncThreshold);
    }

    [Fact]
    public async Task DetectAsync_WrongKey_NotFound()
    {
        var analysis = await WatermarkDetector.AnalyzeAsync(videos.Gradient.VideoPath);
        var right = analysis.Detect(WatermarkKey.Configured());
        Assert.True(right.Found, right.Describe());
        foreach (var secret in new[] { "wrong-1", "wrong-2", "wrong-3" })
        {
            var wrong = analysis.Detect(WatermarkKey.FromSecret(secret));
            output.WriteLine($"{secret}: {wrong.Describe()}");
            Assert.False(wrong.Found, wrong.Describe());
        }
    }

    [Fact]
    public async Task Watermark_IsInvisible_PsnrAndSsimAgainstUnmarked()
    {
        var (marked, unmarked) = (videos.Gradient.VideoPath, videos.GradientUnmarked.VideoPath);
        var r = await Tools.RunAsync(Tools.Ffmpeg, ["-hide_banner", "-nostats", "-i", marked, "-i", unmarked,
            "-lavfi", "[0:v][1:v]psnr;[0:v][1:v]ssim", "-f", "null", "-"]);
        Assert.True(r.ExitCode == 0, r.StdErr);
        var psnr = double.Parse(PsnrAverage().Match(r.StdErr).Groups[1].Value, CultureInfo.InvariantCulture);
        var ssim = double.Parse(SsimAll().Match(r.StdErr).Groups[1].Value, CultureInfo.InvariantCulture);
        output.WriteLine($"PSNR {psnr:0.00} dB, SSIM {ssim:0.0000}");
        Assert.True(psnr >= 40, $"PSNR {psnr:0.00} dB");
        Assert.True(ssim >= 0.98, $"SSIM {ssim:0.0000}");
        Assert.True(psnr < 70, $"PSNR {psnr:0.00} dB: the two renders look identical, so the watermark is not there");
    }

    [GeneratedRegex(@"PSNR .*average:([0-9.]+|inf)")]
    private static partial Regex PsnrAverage();

    [GeneratedRegex(@"SSIM .*All:([0-9.]+)")]
    private static partial Regex SsimAll();

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
