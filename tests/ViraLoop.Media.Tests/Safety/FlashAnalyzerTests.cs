using ViraLoop.Media.Safety;
using Xunit;

namespace ViraLoop.Media.Tests.Safety;

/// <summary>The flash check (WCAG 2.3.1 / ITU-R BT.1702): strobing fails, slow changes, small areas and calm video pass.</summary>
public sealed class FlashAnalyzerTests
{
    private const int W = 36, H = 64;

    private static byte[] Fill(byte r, byte g, byte b, double share = 1.0)
    {
        var frame = new byte[W * H * 3];
        var lit = (int)(W * H * share);
        for (var i = 0; i < lit; i++) (frame[i * 3], frame[i * 3 + 1], frame[i * 3 + 2]) = (r, g, b);
        return frame;
    }

    private static List<byte[]> Alternate(byte[] a, byte[] b, int framesEach, int total) =>
        Enumerable.Range(0, total).Select(f => f / framesEach % 2 == 0 ? a : b).ToList();

    [Fact]
    public void BlackWhiteStrobe_At15Hz_Fails_WithItsRate()
    {
        var report = FlashAnalyzer.Analyze(Alternate(Fill(0, 0, 0), Fill(255, 255, 255), 1, 60), W, H, 30);
        Assert.False(report.Passes);
        Assert.InRange(report.MaxGeneralFlashesPerSecond, 14, 15); // 30 transitions a second = 15 flashes
        Assert.Contains("WCAG 2.3.1", report.Describe());
    }

    [Fact]
    public void ThreeFlashesASecond_Pass_FourFail()
    {
        // 30 fps: a transition every 5 frames = 6 transitions = 3 flashes a second; every 4 frames = 7.5 → 3–4 flashes.
        Assert.True(FlashAnalyzer.Analyze(Alternate(Fill(20, 20, 20), Fill(200, 200, 200), 5, 90), W, H, 30).Passes);
        var fast = FlashAnalyzer.Analyze(Alternate(Fill(20, 20, 20), Fill(200, 200, 200), 3, 90), W, H, 30);
        Assert.False(fast.Passes);
        Assert.Equal(5, fast.MaxGeneralFlashesPerSecond);
    }

    [Fact]
    public void SaturatedRedFlashes_AreCountedAsRed()
    {
        var report = FlashAnalyzer.Analyze(Alternate(Fill(0, 0, 0), Fill(255, 0, 0), 2, 60), W, H, 30);
        Assert.False(report.Passes);
        Assert.InRange(report.MaxRedFlashesPerSecond, 7, 8);
        // A non-red colour change of the same kind is no red flash.
        Assert.Equal(0, FlashAnalyzer.Analyze(Alternate(Fill(0, 0, 0), Fill(0, 0, 255), 2, 60), W, H, 30).MaxRedFlashesPerSecond);
    }

    [Fact]
    public void SmallAreas_SlowFades_AndBrightOnlyChanges_Pass()
    {
        // 2 % of the frame strobing: below a quarter of a 10° field (2.8 %).
        Assert.True(FlashAnalyzer.Analyze(Alternate(Fill(0, 0, 0), Fill(255, 255, 255, 0.02), 1, 60), W, H, 30).Passes);
        // A fade from black to white over a second: no frame changes by 0.1.
        var fade = Enumerable.Range(0, 60).Select(f => Fill((byte)(f * 4), (byte)(f * 4), (byte)(f * 4))).ToList();
        Assert.Equal(0, FlashAnalyzer.Analyze(fade, W, H, 30).MaxGeneralFlashesPerSecond);
        // Changes between two bright states (both above 0.8 relative luminance) are not flashes.
        Assert.True(FlashAnalyzer.Analyze(Alternate(Fill(235, 235, 235), Fill(255, 255, 255), 1, 60), W, H, 30).Passes);
    }

    [Fact]
    public async Task AStrobingVideoFile_Fails_AndACalmOnePasses()
    {
        Tools.RequireMedia();
        var dir = Directory.CreateTempSubdirectory("vl-flash-").FullName;
        var strobe = Path.Combine(dir, "strobe.mp4");
        var calm = Path.Combine(dir, "calm.mp4");
        // 30 fps, luma 16/235 switching every 3 frames: 5 flashes a second.
        var made = await Tools.RunAsync(Tools.Ffmpeg, ["-v", "error", "-f", "lavfi", "-i", "color=c=black:s=180x320:r=30:d=2", "-vf",
            "format=yuv420p,geq=lum='if(lt(mod(N,6),3),16,235)':cb=128:cr=128", "-c:v", "libx264", "-pix_fmt", "yuv420p", strobe]);
        Assert.True(made.ExitCode == 0, made.StdErr);
        made = await Tools.RunAsync(Tools.Ffmpeg, ["-v", "error", "-f", "lavfi", "-i", "testsrc2=s=180x320:r=30:d=2", "-c:v", "libx264", "-pix_fmt", "yuv420p", calm]);
        Assert.True(made.ExitCode == 0, made.StdErr);

        var bad = await FlashAnalyzer.AnalyzeAsync(strobe);
        Assert.Equal(60, bad.Frames);
        Assert.Equal(30, bad.Fps, 3);
        Assert.False(bad.Passes);
        Assert.InRange(bad.MaxGeneralFlashesPerSecond, 4, 5);
        Assert.True((await FlashAnalyzer.AnalyzeAsync(calm)).Passes);
        await Assert.ThrowsAsync<MediaInputException>(() => FlashAnalyzer.AnalyzeAsync(Path.Combine(dir, "missing.mp4")));
    }
}
