using ViraLoop.Media.Assembly;
using ViraLoop.Media.Captions;
using ViraLoop.Media.Visuals;

namespace ViraLoop.Media.Pipeline.Steps;

/// <summary>
/// One timed scene's visual: scene <paramref name="SceneIndex"/> of a video whose palette and seed are
/// <paramref name="VideoPalette"/> and <paramref name="VideoSeed"/>. <paramref name="ClipPath"/> is a clip a remote
/// backend made for the scene (null: the procedural renderer). With <paramref name="PreviewPath"/> set, a small JPEG
/// of the scene's middle frame is written there for progress displays.
/// </summary>
public sealed record SceneVisualSpec(int SceneIndex, TimedScene Scene, Palette VideoPalette, int VideoSeed, RenderSettings Settings,
    string? ClipPath = null, string? PreviewPath = null);

/// <summary>The scene's visual source (what the assembly draws) and its preview frame, when one was asked for.</summary>
public sealed record SceneVisualResult(int SceneIndex, SceneVisual Visual, string? PreviewPath);

/// <summary>
/// Step 4, per scene: decides what the scene's background is. The procedural source is pure (style from the timeline,
/// the palette's hue turned per scene, a seed per scene); only the optional preview frame touches files.
/// </summary>
public sealed class SceneVisualStep
{
    /// <summary>The scene's visual source without any I/O (what <see cref="RunAsync"/> returns as <see cref="SceneVisualResult.Visual"/>).</summary>
    public SceneVisual Source(SceneVisualSpec spec) => new(spec.Scene.Style, spec.VideoPalette.ForScene(spec.SceneIndex),
        spec.VideoSeed + spec.SceneIndex * 7919, spec.Scene.Start, spec.Scene.Duration, spec.ClipPath);

    public async Task<SceneVisualResult> RunAsync(SceneVisualSpec spec, CancellationToken cancellationToken = default)
    {
        if (spec.ClipPath is not null && !File.Exists(spec.ClipPath))
            throw new FileNotFoundException($"The clip for scene {spec.SceneIndex + 1} does not exist: {spec.ClipPath}", spec.ClipPath);
        var visual = Source(spec);
        if (spec.PreviewPath is null) return new SceneVisualResult(spec.SceneIndex, visual, null);
        await WritePreviewAsync(visual, spec.Settings, spec.PreviewPath, cancellationToken);
        return new SceneVisualResult(spec.SceneIndex, visual, spec.PreviewPath);
    }

    /// <summary>The scene alone (starting at 0, no transitions) rendered at its middle, at the background's small size.</summary>
    private static async Task WritePreviewAsync(SceneVisual visual, RenderSettings s, string output, CancellationToken ct)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(output))!;
        Directory.CreateDirectory(dir);
        var alone = visual with { Start = 0 };
        var work = Directory.CreateTempSubdirectory("viraloop-preview-").FullName;
        try
        {
            var clips = await ClipFrames.DecodeScenesAsync([alone], s.BackgroundWidth, s.BackgroundHeight, s.Fps, work, cancellationToken: ct);
            try
            {
                var bg = new BackgroundRenderer(s.BackgroundWidth, s.BackgroundHeight, s.Fps, [alone], clips: clips);
                var frame = new byte[bg.YuvFrameBytes];
                bg.RenderFrameYuv420(Math.Min(bg.FrameCount - 1, (int)(alone.Duration / 2 * s.Fps)), frame);
                var raw = Path.Combine(work, "preview.yuv");
                await File.WriteAllBytesAsync(raw, frame, ct);
                var tmp = Path.Combine(dir, $".{Path.GetFileName(output)}.{Guid.NewGuid():N}.jpg");
                var r = await Tools.RunAsync(Tools.Ffmpeg, ["-hide_banner", "-nostdin", "-loglevel", "error", "-y",
                    "-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", $"{bg.Width}x{bg.Height}", "-i", raw, "-frames:v", "1",
                    "-q:v", "4", tmp], ct: ct);
                if (r.ExitCode != 0) throw new InvalidOperationException($"ffmpeg could not write the scene preview: {r.StdErr.Trim()}");
                File.Move(tmp, output, overwrite: true);
            }
            finally
            {
                foreach (var c in clips.Values) c.Dispose();
            }
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }
    }
}
