using System.Globalization;
using ViraLoop.Media.Storage;

namespace ViraLoop.Media.Visuals.Backends;

/// <summary>
/// Fits what a vendor delivered to a scene with ffmpeg: a still is given a slow zoom and pan; a clip is scaled and
/// centre-cropped to fill the frame, looped or trimmed to the scene's length, at the scene's frame rate. Output is a
/// silent H.264 MP4 (yuv420p, faststart), written under a temporary name and then renamed.
/// </summary>
internal static class ClipFitter
{
    private static string F(double v) => v.ToString("0.######", CultureInfo.InvariantCulture);

    /// <summary>The whole still stays in view at the start; the camera then zooms in by 12% while drifting to one side chosen by the seed.</summary>
    public static Task StillToClipAsync(string still, VisualJob job, string output, CancellationToken cancellationToken)
    {
        int frames = Math.Max(1, (int)Math.Round(job.DurationSeconds * job.Fps));
        // Work at twice the output size so the sub-pixel steps of zoompan do not jitter.
        int w2 = job.Width * 2, h2 = job.Height * 2;
        int dir = (job.Seed & 1) == 0 ? 1 : -1;
        string progress = frames > 1 ? $"on/{frames - 1}" : "0";
        string zoom = $"1+0.12*{progress}";
        string x = $"(iw-iw/zoom)*(0.5+{F(0.5 * dir)}*{progress})";
        string y = "(ih-ih/zoom)/2";
        string filter = $"scale={w2}:{h2}:force_original_aspect_ratio=increase,crop={w2}:{h2},setsar=1,"
            + $"zoompan=z='{zoom}':x='{x}':y='{y}':d={frames}:s={job.Width}x{job.Height}:fps={job.Fps},format=yuv420p";
        return EncodeAsync(["-i", still, "-vf", filter, "-frames:v", frames.ToString(CultureInfo.InvariantCulture)], job, output, cancellationToken);
    }

    /// <summary>Scale to cover, centre-crop to the job's size, loop when shorter than the scene, cut at its length.</summary>
    public static Task VideoToClipAsync(string video, VisualJob job, string output, CancellationToken cancellationToken)
    {
        int frames = Math.Max(1, (int)Math.Round(job.DurationSeconds * job.Fps));
        string filter = $"scale={job.Width}:{job.Height}:force_original_aspect_ratio=increase,crop={job.Width}:{job.Height},setsar=1,"
            + $"fps={job.Fps},format=yuv420p";
        return EncodeAsync(["-stream_loop", "-1", "-i", video, "-vf", filter, "-frames:v", frames.ToString(CultureInfo.InvariantCulture)],
            job, output, cancellationToken);
    }

    private static async Task EncodeAsync(List<string> input, VisualJob job, string output, CancellationToken cancellationToken)
    {
        Tools.Require(Tools.Ffmpeg, "ffmpeg");
        var temp = AtomicFile.TempPathFor(output);
        var args = new List<string> { "-hide_banner", "-nostdin", "-v", "error", "-y" };
        args.AddRange(input);
        args.AddRange(["-an", "-r", job.Fps.ToString(CultureInfo.InvariantCulture), "-c:v", "libx264", "-preset", "veryfast", "-crf", "20",
            "-pix_fmt", "yuv420p", "-movflags", "+faststart", "-f", "mp4", temp]);
        try
        {
            var r = await Tools.RunAsync(Tools.Ffmpeg, args, ct: cancellationToken);
            if (r.ExitCode != 0 || !File.Exists(temp))
                throw new InvalidOperationException($"ffmpeg could not fit the clip for scene {job.SceneId} (exit {r.ExitCode}): {r.StdErr.Trim()}");
            File.Move(temp, output, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }
}
