using System.Globalization;
using ViraLoop.Media.Visuals.Backends;

namespace ViraLoop.Media.Tests.Visuals.Backends;

/// <summary>Media the fake vendors hand out (made with ffmpeg's test sources), and checks of what the backends wrote.</summary>
internal static class BackendTestMedia
{
    public static VisualJob Job(string sceneId = "scene-1", double seconds = 2, int seed = 42) => new(
        sceneId, "Octopuses have three hearts and blue blood.", "An octopus gliding over a coral reef at dusk", "cinematic",
        180, 320, seconds, 24, seed);

    public static string TempDirectory()
    {
        var d = Path.Combine(Path.GetTempPath(), $"vlbackend-{Guid.NewGuid():N}");
        Directory.CreateDirectory(d);
        return d;
    }

    /// <summary>A detailed picture (ffmpeg's testsrc2) as PNG bytes, as an image endpoint would return it.</summary>
    public static async Task<byte[]> PngAsync(int width, int height)
    {
        var path = Path.Combine(Path.GetTempPath(), $"still-{Guid.NewGuid():N}.png");
        var r = await Tools.RunAsync(Tools.Ffmpeg, ["-v", "error", "-y", "-f", "lavfi", "-i", $"testsrc2=size={width}x{height}:rate=1", "-frames:v", "1", path]);
        Assert.True(r.ExitCode == 0, r.StdErr);
        var bytes = await File.ReadAllBytesAsync(path);
        File.Delete(path);
        return bytes;
    }

    /// <summary>A short moving MP4 with a sound track, as a video vendor's CDN would serve it.</summary>
    public static async Task<byte[]> Mp4Async(int width, int height, double seconds)
    {
        var path = Path.Combine(Path.GetTempPath(), $"vendor-{Guid.NewGuid():N}.mp4");
        var r = await Tools.RunAsync(Tools.Ffmpeg, ["-v", "error", "-y", "-f", "lavfi", "-i", $"testsrc2=size={width}x{height}:rate=24",
            "-f", "lavfi", "-i", "sine=frequency=440", "-t", seconds.ToString(CultureInfo.InvariantCulture), "-c:v", "libx264", "-pix_fmt", "yuv420p",
            "-c:a", "aac", "-shortest", path]);
        Assert.True(r.ExitCode == 0, r.StdErr);
        var bytes = await File.ReadAllBytesAsync(path);
        File.Delete(path);
        return bytes;
    }

    /// <summary>ffprobe says: one H.264 video stream of the job's size and frame rate, no audio, the job's length; frames are not uniform and they move.</summary>
    public static async Task AssertClipFitsAsync(VisualClip clip, VisualJob job)
    {
        Assert.True(File.Exists(clip.Path), $"no clip at {clip.Path}");
        var probe = await MediaProbe.ProbeAsync(clip.Path);
        var video = MediaProbe.Stream(probe, "video");
        Assert.Equal("h264", video.GetProperty("codec_name").GetString());
        Assert.Equal(job.Width, video.GetProperty("width").GetInt32());
        Assert.Equal(job.Height, video.GetProperty("height").GetInt32());
        Assert.Equal($"{job.Fps}/1", video.GetProperty("r_frame_rate").GetString());
        Assert.DoesNotContain(probe.GetProperty("streams").EnumerateArray(), s => s.GetProperty("codec_type").GetString() == "audio");
        Assert.InRange(MediaProbe.Duration(probe), job.DurationSeconds - 0.1, job.DurationSeconds + 0.1);

        var (first, w, h) = await MediaProbe.GrayFrameAsync(clip.Path, 0, job.Width, job.Height);
        var (last, _, _) = await MediaProbe.GrayFrameAsync(clip.Path, job.DurationSeconds - 0.1, job.Width, job.Height);
        double mean = first.Average(b => (double)b);
        double spread = Math.Sqrt(first.Average(b => (b - mean) * (b - mean)));
        Assert.True(spread > 10, $"the first frame is (nearly) uniform: grey level standard deviation {spread:0.0}");
        Assert.True(MediaProbe.MeanDiff(first, last, w, 0, h) > 1, "the clip does not move: first and last frames are the same");
    }
}
