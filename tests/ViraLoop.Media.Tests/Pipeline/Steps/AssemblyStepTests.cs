using ViraLoop.Media.Assembly;
using ViraLoop.Media.Captions;
using ViraLoop.Media.Music;
using ViraLoop.Media.Pipeline.Steps;
using ViraLoop.Media.Visuals;

namespace ViraLoop.Media.Tests.Pipeline.Steps;

public sealed class AssemblyStepTests
{
    private const double SceneSeconds = 1.5;

    private static AssemblySpec Spec(StepTestMedia media, string name, string? clipForScene1)
    {
        var scenes = StepTestMedia.Timeline(SceneSeconds, VisualStyle.Gradient, VisualStyle.Geometric, VisualStyle.Particles);
        var voices = scenes.Select(s => media.Tone(s.Script.Index, 1.0)).ToList();
        var step = new SceneVisualStep();
        var visuals = scenes.Select((s, i) => step.Source(new SceneVisualSpec(i, s, Palette.Named["sunset"], 3, RenderSettings.Preview,
            i == 1 ? clipForScene1 : null))).ToList();
        return new AssemblySpec(scenes, voices, visuals, MusicSpec.ForMood("calm", 3), 3, AssWriter.Write([], SafeArea.Default, "t"),
            RenderSettings.Preview, media.PathOf($"{name}/video.mp4"), media.PathOf($"{name}-work"));
    }

    [Fact]
    public async Task RunAsync_OneSceneFromAClip_ThatSceneShowsTheClip_OthersUnchanged_OneH264Stream()
    {
        using var media = new StepTestMedia();
        // A landscape clip shorter than its scene: it must be cropped to 9:16 and looped.
        var clip = await media.TestPatternClipAsync(1.0);
        var step = new AssemblyStep();
        var procedural = Spec(media, "procedural", null);
        var withClip = Spec(media, "clip", clip);
        var fractions = new List<double>();
        var results = await Task.WhenAll(step.RunAsync(procedural), step.RunAsync(withClip, new SyncProgress(fractions.Add)));
        var (plain, clipped) = (results[0], results[1]);
        Assert.Equal(1.0, fractions[^1]);
        Assert.True(plain.Flashes!.Passes, plain.Flashes.Describe());
        Assert.True(clipped.Flashes!.Passes, clipped.Flashes.Describe());
        Assert.InRange(plain.Flashes.Frames, plain.FrameCount - 1, plain.FrameCount + 1); // every frame of the file was looked at

        // Still one encode: exactly one H.264 stream (and one AAC stream) of the timeline's length, 30 frames a second.
        var probe = await MediaProbe.ProbeAsync(clipped.VideoPath);
        var streams = probe.GetProperty("streams").EnumerateArray().ToList();
        Assert.Equal(["h264", "aac"], streams.Select(s => s.GetProperty("codec_name").GetString()));
        Assert.Equal(540, streams[0].GetProperty("width").GetInt32());
        Assert.InRange(MediaProbe.Duration(probe), 3 * SceneSeconds - 0.1, 3 * SceneSeconds + 0.1);
        Assert.Equal(3 * SceneSeconds, clipped.DurationSeconds, 3);
        var packets = await MediaProbe.PacketsAsync(clipped.VideoPath, "v:0");
        Assert.InRange(packets.Count, (int)(3 * SceneSeconds * 30) - 1, (int)(3 * SceneSeconds * 30) + 1);

        // Scene 1 (1.5–3.0 s): 0.6 s in, and 1.2 s in (past the clip's end: looped, 0.2 s into the clip).
        foreach (var (at, clipAt) in new[] { (2.1, 0.6), (2.7, 0.2) })
        {
            var withFrame = await MediaProbe.GrayFrameAsync(clipped.VideoPath, at, 270, 480);
            var plainFrame = await MediaProbe.GrayFrameAsync(plain.VideoPath, at, 270, 480);
            var expected = await FittedClipFrameAsync(media, clip, clipAt);
            double toClip = MediaProbe.MeanDiff(withFrame.Pixels, expected, 270, 0, 480);
            double toProcedural = MediaProbe.MeanDiff(withFrame.Pixels, plainFrame.Pixels, 270, 0, 480);
            Assert.True(toClip < 10, $"at {at} s the clip scene differs from the clip's frame at {clipAt} s by {toClip:0.0}");
            Assert.True(toProcedural > 25, $"at {at} s the clip scene differs from the procedural one by only {toProcedural:0.0}");
        }
        // The other scenes are the procedural ones, as without the clip.
        foreach (var at in new[] { 0.7, 3.8 })
        {
            var a = await MediaProbe.GrayFrameAsync(clipped.VideoPath, at, 270, 480);
            var b = await MediaProbe.GrayFrameAsync(plain.VideoPath, at, 270, 480);
            double d = MediaProbe.MeanDiff(a.Pixels, b.Pixels, 270, 0, 480);
            Assert.True(d < 2, $"at {at} s a procedural scene changed by {d:0.0} when scene 1 became a clip");
        }
    }

    [Fact]
    public async Task RunAsync_AStrobingClip_IsMeasured_AndTheVideoFailsTheFlashCheckWhereItStrobes()
    {
        using var media = new StepTestMedia();
        // A clip (as a remote backend could return) that switches black/white every 3 frames: 5 flashes a second.
        var strobe = media.PathOf("strobe.mp4");
        var made = await Tools.RunAsync(Tools.Ffmpeg, ["-v", "error", "-f", "lavfi", "-i", "color=c=black:s=320x568:r=30:d=1.5", "-vf",
            "format=yuv420p,geq=lum='if(lt(mod(N,6),3),16,235)':cb=128:cr=128", "-c:v", "libx264", "-pix_fmt", "yuv420p", strobe]);
        Assert.True(made.ExitCode == 0, made.StdErr);
        var result = await new AssemblyStep().RunAsync(Spec(media, "strobe", strobe));
        var flashes = result.Flashes!;
        Assert.False(flashes.Passes);
        Assert.InRange(flashes.MaxGeneralFlashesPerSecond, 4, 6); // 5 from the clip, one more where the scene cuts into it
        Assert.InRange(flashes.WorstSecondStartsAt, SceneSeconds - 0.1, 2 * SceneSeconds); // in scene 1, the clip's scene
        Assert.Contains("not delivered", new ViraLoop.Media.Safety.UnsafeVideoException(flashes).Message);
    }

    [Fact]
    public async Task RunAsync_VisualsMissingForAScene_ThrowsBeforeEncoding()
    {
        using var media = new StepTestMedia();
        var spec = Spec(media, "bad", null);
        await Assert.ThrowsAsync<ArgumentException>(() => new AssemblyStep().RunAsync(spec with { Visuals = spec.Visuals.Take(2).ToList() }));
        Assert.False(File.Exists(spec.OutputPath));
    }

    /// <summary>The clip's frame at <paramref name="at"/>, fitted to 9:16 the way a scene shows it (cover, centre crop), grey at 270×480.</summary>
    private static async Task<byte[]> FittedClipFrameAsync(StepTestMedia media, string clip, double at)
    {
        var png = media.PathOf($"expected-{Guid.NewGuid():N}.png");
        var r = await Tools.RunAsync(Tools.Ffmpeg, ["-v", "error", "-y", "-ss", at.ToString(System.Globalization.CultureInfo.InvariantCulture), "-i", clip,
            "-frames:v", "1", "-vf", "scale=270:480:force_original_aspect_ratio=increase,crop=270:480", png]);
        Assert.True(r.ExitCode == 0, r.StdErr);
        return await StepTestMedia.GrayImageAsync(png, 270, 480);
    }

    private sealed class SyncProgress(Action<double> report) : IProgress<double>
    {
        private readonly object _gate = new();
        public void Report(double value) { lock (_gate) report(value); }
    }
}
