namespace ViraLoop.Media.Tests;

/// <summary>
/// The picture checks the thumbnail and caption tests rely on (<see cref="MediaProbe.PictureStatsAsync"/>, OCR with tesseract)
/// tell a wrong picture from a right one: a black card without a title fails them, a title drawn by ffmpeg itself passes.
/// </summary>
public sealed class PictureChecksTests
{
    [Fact]
    public async Task BlackCardWithoutTitle_IsFlat_AndOcrReadsNoTitle()
    {
        var card = await DrawAsync("color=c=black:s=540x960", "");
        try
        {
            var (mean, sd, colours) = await MediaProbe.PictureStatsAsync(card);
            Assert.True(sd < 1, $"a black card spreads by {sd:0.0}");
            Assert.True(colours < 5, $"a black card has {colours} colours");
            Assert.True(mean < 20, $"a black card has mean luma {mean:0.0}");
            var read = MediaProbe.Words(await MediaProbe.OcrAsync(card, "scale=iw*2:ih*2", "eng", pageSegmentation: 3));
            Assert.DoesNotContain("deep", read);
            Assert.DoesNotContain("light", read);
        }
        finally { File.Delete(card); }
    }

    [Fact]
    public async Task TitleDrawnOnAGradient_IsAPicture_AndOcrReadsTheTitle()
    {
        // ffmpeg's own text renderer (not ours) draws the title in a box on a colour gradient.
        // A deterministic colour gradient (lavfi's gradients and noise sources are random per run).
        var card = await DrawAsync("nullsrc=s=540x960,geq=r='X*255/W':g='Y*255/H':b='128+100*sin(X/37)*cos(Y/53)'",
            $"format=yuv420p,drawtext=fontfile={Tools.FontPath}:text='Deep sea light':fontsize=56:fontcolor=white:box=1:boxcolor=black:boxborderw=16:x=(w-tw)/2:y=(h-th)/2");
        try
        {
            var (_, sd, colours) = await MediaProbe.PictureStatsAsync(card);
            Assert.True(sd > 15, $"the gradient spreads by only {sd:0.0}");
            Assert.True(colours > 100, $"the gradient has only {colours} colours");
            var read = MediaProbe.Words(await MediaProbe.OcrAsync(card, "scale=iw*2:ih*2", "eng", pageSegmentation: 3));
            Assert.All(new[] { "deep", "sea", "light" }, w => Assert.Contains(w, read));
        }
        finally { File.Delete(card); }
    }

    private static async Task<string> DrawAsync(string source, string filter)
    {
        var path = Path.Combine(Path.GetTempPath(), $"card-{Guid.NewGuid():N}.jpg");
        var args = new List<string> { "-v", "error", "-y", "-f", "lavfi", "-i", source, "-frames:v", "1" };
        if (filter != "") args.AddRange(["-vf", filter]);
        args.Add(path);
        var r = await Tools.RunAsync(Tools.Ffmpeg, args);
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.True(new FileInfo(path).Length > 0, $"{path} was not written");
        return path;
    }
}
