using ViraLoop.Media.Assembly;
using ViraLoop.Media.Pipeline.Steps;
using ViraLoop.Media.Visuals;

namespace ViraLoop.Media.Tests.Pipeline.Steps;

public sealed class ThumbnailStepTests
{
    [Fact]
    public async Task RunAsync_ProceduralHook_FullSizeJpegWithTheTitleReadable()
    {
        using var media = new StepTestMedia();
        var scenes = StepTestMedia.Timeline(2, VisualStyle.Gradient, VisualStyle.Geometric);
        var visuals = scenes.Select((s, i) => new SceneVisualStep().Source(new SceneVisualSpec(i, s, Palette.Named["ocean"], 4, RenderSettings.Preview))).ToList();
        var r = await new ThumbnailStep().RunAsync(new ThumbnailSpec("Deep sea light", visuals, 1.0, RenderSettings.Preview, media.PathOf("thumb.jpg"), media.PathOf("work")));
        var img = MediaProbe.Stream(await MediaProbe.ProbeAsync(r.ThumbnailPath), "video");
        Assert.Equal((540, 960), (img.GetProperty("width").GetInt32(), img.GetProperty("height").GetInt32()));
        // A picture, not a flat card: the luma spreads out and there are many colours (a black card has a spread near 0).
        var (mean, sd, colours) = await MediaProbe.PictureStatsAsync(r.ThumbnailPath);
        Assert.True(sd > 15, $"the thumbnail is nearly uniform: luma standard deviation {sd:0.0}");
        Assert.True(colours > 100, $"the thumbnail has only {colours} distinct colours (5 bits a channel)");
        Assert.InRange(mean, 20, 235);
        var read = MediaProbe.Words(await MediaProbe.OcrAsync(r.ThumbnailPath, "scale=iw*2:ih*2", "eng", pageSegmentation: 3));
        Assert.True(new[] { "deep", "sea", "light" }.Count(w => read.Contains(w)) >= 2, $"OCR read [{string.Join(' ', read)}]");
    }

    [Fact]
    public async Task RunAsync_HookFromAClip_BackgroundIsTheClip()
    {
        using var media = new StepTestMedia();
        var clip = await media.TestPatternClipAsync(2);
        var scenes = StepTestMedia.Timeline(2, VisualStyle.Gradient, VisualStyle.Geometric);
        var step = new SceneVisualStep();
        var procedural = scenes.Select((s, i) => step.Source(new SceneVisualSpec(i, s, Palette.Named["ocean"], 4, RenderSettings.Preview))).ToList();
        var clipped = procedural.Select((v, i) => i == 0 ? v with { ClipPath = clip } : v).ToList();
        var thumbs = new ThumbnailStep();
        var a = await thumbs.RunAsync(new ThumbnailSpec("", procedural, 1.0, RenderSettings.Preview, media.PathOf("a.jpg"), media.PathOf("work-a")));
        var b = await thumbs.RunAsync(new ThumbnailSpec("", clipped, 1.0, RenderSettings.Preview, media.PathOf("b.jpg"), media.PathOf("work-b")));
        var pa = await StepTestMedia.GrayImageAsync(a.ThumbnailPath, 270, 480);
        var pb = await StepTestMedia.GrayImageAsync(b.ThumbnailPath, 270, 480);
        Assert.True(MediaProbe.MeanDiff(pa, pb, 270, 0, 480) > 25, "the thumbnail of a clip hook looks like the procedural one");
    }
}
