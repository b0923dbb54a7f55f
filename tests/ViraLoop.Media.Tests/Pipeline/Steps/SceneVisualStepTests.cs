using ViraLoop.Media.Assembly;
using ViraLoop.Media.Pipeline.Steps;
using ViraLoop.Media.Visuals;

namespace ViraLoop.Media.Tests.Pipeline.Steps;

public sealed class SceneVisualStepTests
{
    private static readonly Palette Neon = Palette.Named["neon"];

    [Fact]
    public void Source_Procedural_StyleFromTimeline_HueTurnedAndSeedPerScene()
    {
        var scenes = StepTestMedia.Timeline(2, VisualStyle.Kinetic, VisualStyle.Geometric);
        var step = new SceneVisualStep();
        var v0 = step.Source(new SceneVisualSpec(0, scenes[0], Neon, 7, RenderSettings.Preview));
        var v1 = step.Source(new SceneVisualSpec(1, scenes[1], Neon, 7, RenderSettings.Preview));
        Assert.Equal(VisualStyle.Geometric, v1.Style);
        Assert.Equal(Neon.Colors, v0.Palette.Colors);
        Assert.NotEqual(v0.Palette.Colors, v1.Palette.Colors);
        Assert.Equal((7, 7 + 7919), (v0.Seed, v1.Seed));
        Assert.Equal((2.0, 2.0), (v1.Start, v1.Duration));
        Assert.Null(v1.ClipPath);
    }

    [Fact]
    public async Task RunAsync_Procedural_WritesASmallPreviewOfTheScene_SameBytesForTheSameSpec()
    {
        using var media = new StepTestMedia();
        var scene = StepTestMedia.Timeline(2, VisualStyle.Geometric)[0];
        var step = new SceneVisualStep();
        var a = await step.RunAsync(new SceneVisualSpec(0, scene, Neon, 7, RenderSettings.Preview, PreviewPath: media.PathOf("a/preview.jpg")));
        var b = await step.RunAsync(new SceneVisualSpec(0, scene, Neon, 7, RenderSettings.Preview, PreviewPath: media.PathOf("b/preview.jpg")));
        var other = await step.RunAsync(new SceneVisualSpec(0, scene, Neon, 8, RenderSettings.Preview, PreviewPath: media.PathOf("c/preview.jpg")));
        var img = MediaProbe.Stream(await MediaProbe.ProbeAsync(a.PreviewPath!), "video");
        Assert.Equal("mjpeg", img.GetProperty("codec_name").GetString());
        Assert.Equal((RenderSettings.Preview.BackgroundWidth, RenderSettings.Preview.BackgroundHeight), (img.GetProperty("width").GetInt32(), img.GetProperty("height").GetInt32()));
        Assert.Equal(await File.ReadAllBytesAsync(a.PreviewPath!), await File.ReadAllBytesAsync(b.PreviewPath!));
        Assert.NotEqual(await File.ReadAllBytesAsync(a.PreviewPath!), await File.ReadAllBytesAsync(other.PreviewPath!)); // the seed matters
        var px = await StepTestMedia.GrayImageAsync(a.PreviewPath!, 135, 240);
        double mean = px.Average(p => (double)p), sd = Math.Sqrt(px.Average(p => (p - mean) * (p - mean)));
        Assert.True(sd > 8, $"the preview is nearly uniform (sd {sd:0.0})");
    }

    [Fact]
    public async Task RunAsync_Clip_KeepsTheClip_AndThePreviewShowsIt()
    {
        using var media = new StepTestMedia();
        var clip = await media.TestPatternClipAsync(2);
        var scene = StepTestMedia.Timeline(2, VisualStyle.Geometric)[0];
        var r = await new SceneVisualStep().RunAsync(new SceneVisualSpec(0, scene, Neon, 7, RenderSettings.Preview, clip, media.PathOf("preview.jpg")));
        Assert.Equal(clip, r.Visual.ClipPath);
        // The clip's middle frame, fitted to 9:16 the same way (cover, centre crop), is what the preview shows.
        var reference = media.PathOf("reference.png");
        var f = await Tools.RunAsync(Tools.Ffmpeg, ["-v", "error", "-y", "-ss", "1", "-i", clip, "-frames:v", "1",
            "-vf", "scale=270:480:force_original_aspect_ratio=increase,crop=270:480", reference]);
        Assert.True(f.ExitCode == 0, f.StdErr);
        var p = await StepTestMedia.GrayImageAsync(r.PreviewPath!, 270, 480);
        var q = await StepTestMedia.GrayImageAsync(reference, 270, 480);
        double diff = MediaProbe.MeanDiff(p, q, 270, 0, 480);
        Assert.True(diff < 8, $"the preview differs from the clip's middle frame by {diff:0.0}");
    }

    [Fact]
    public async Task RunAsync_MissingClip_ThrowsFileNotFound()
    {
        var scene = StepTestMedia.Timeline(2, VisualStyle.Geometric)[0];
        await Assert.ThrowsAsync<FileNotFoundException>(() =>
            new SceneVisualStep().RunAsync(new SceneVisualSpec(0, scene, Neon, 7, RenderSettings.Preview, "/nonexistent/clip.mp4")));
    }
}
