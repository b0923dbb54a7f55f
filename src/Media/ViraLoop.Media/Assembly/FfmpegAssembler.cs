using System.Diagnostics;
using System.Globalization;
using ViraLoop.Media.Visuals;

namespace ViraLoop.Media.Assembly;

/// <summary>A voice clip and where it starts on the timeline.</summary>
public sealed record VoiceClip(string Path, double Start, double Duration);

/// <summary>
/// Encodes the picture once: procedural background frames arrive raw on stdin, are scaled up, captions and
/// keywords are burned in by libass, H.264 comes out. The soundtrack is encoded at the same time by
/// <see cref="AudioMixer"/>; <see cref="MuxAsync"/> then copies both streams into a faststart MP4.
/// </summary>
public static class FfmpegAssembler
{
    public static IReadOnlyList<string> BuildArguments(RenderSettings s, BackgroundRenderer bg, string assFile, double duration, string output)
    {
        var inv = CultureInfo.InvariantCulture;
        return
        [
            "-hide_banner", "-nostats", "-loglevel", "error", "-y", "-progress", "pipe:1",
            "-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", $"{bg.Width}x{bg.Height}", "-r", s.Fps.ToString(inv), "-i", "pipe:0",
            "-filter_complex", $"[0:v]scale={s.Width}:{s.Height}:flags=bicubic,ass={assFile}:fontsdir={Path.GetDirectoryName(Tools.FontPath)}[v]",
            "-map", "[v]",
            "-c:v", "libx264", "-preset", s.Preset, "-crf", s.Crf.ToString(inv), "-profile:v", "high", "-pix_fmt", "yuv420p",
            "-r", s.Fps.ToString(inv), "-g", (s.Fps * 2).ToString(inv),
            // The frames are converted with the BT.601 matrix (limited range): say so, so players do not guess BT.709.
            "-colorspace", "smpte170m", "-color_primaries", "bt709", "-color_trc", "bt709", "-color_range", "tv",
            "-t", duration.ToString("0.###", inv), output,
        ];
    }

    /// <summary>Runs the encode in <paramref name="workDir"/> (the ASS file is referenced relative to it), streaming frames and reporting progress 0..1.</summary>
    public static async Task RunAsync(IReadOnlyList<string> args, BackgroundRenderer bg, string workDir, double duration,
        IProgress<double>? progress, CancellationToken ct)
    {
        var psi = new ProcessStartInfo(Tools.Ffmpeg)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workDir,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("Could not start ffmpeg.");
        var stderr = p.StandardError.ReadToEndAsync(ct);
        var reader = Task.Run(async () =>
        {
            string? line;
            while ((line = await p.StandardOutput.ReadLineAsync(ct)) is not null)
                if (line.StartsWith("out_time_us=", StringComparison.Ordinal) && long.TryParse(line.AsSpan(12), out var us) && us > 0)
                    progress?.Report(Math.Min(1, us / 1e6 / duration));
        }, ct);
        try
        {
            await WriteFramesAsync(bg, p.StandardInput.BaseStream, ct);
            p.StandardInput.Close();
            await p.WaitForExitAsync(ct);
        }
        catch (IOException)
        {
            // ffmpeg stopped reading (it failed): its error output below says why.
            await p.WaitForExitAsync(CancellationToken.None);
        }
        catch (OperationCanceledException)
        {
            try { p.Kill(true); } catch (InvalidOperationException) { }
            throw;
        }
        await reader;
        if (p.ExitCode != 0) throw new InvalidOperationException($"ffmpeg failed (exit {p.ExitCode}): {(await stderr).Trim()}");
        progress?.Report(1);
    }

    /// <summary>Renders frames in small parallel batches and writes them in order.</summary>
    private static async Task WriteFramesAsync(BackgroundRenderer bg, Stream stdin, CancellationToken ct)
    {
        const int batch = 4;
        var buffers = Enumerable.Range(0, batch).Select(_ => new byte[bg.YuvFrameBytes]).ToArray();
        for (int start = 0; start < bg.FrameCount; start += batch)
        {
            ct.ThrowIfCancellationRequested();
            int n = Math.Min(batch, bg.FrameCount - start);
            Parallel.For(0, n, i => bg.RenderFrameYuv420(start + i, buffers[i]));
            for (int i = 0; i < n; i++) await stdin.WriteAsync(buffers[i], ct);
        }
    }

    /// <summary>Copies the H.264 and AAC streams into one MP4 with the index at the front (no re-encode).</summary>
    public static async Task MuxAsync(string video, string audio, double duration, string output, CancellationToken ct)
    {
        var r = await Tools.RunAsync(Tools.Ffmpeg, ["-hide_banner", "-loglevel", "error", "-y", "-i", video, "-i", audio,
            "-map", "0:v", "-map", "1:a", "-c", "copy", "-t", duration.ToString("0.###", CultureInfo.InvariantCulture), "-movflags", "+faststart", output], ct: ct);
        if (r.ExitCode != 0) throw new InvalidOperationException($"ffmpeg could not mux the video: {r.StdErr.Trim()}");
    }

    /// <summary>HLS for streaming: the MP4's streams copied (not re-encoded) into 4 s fMP4 segments and a VOD playlist.</summary>
    public static async Task PackageHlsAsync(string mp4, string directory, CancellationToken ct)
    {
        Directory.CreateDirectory(directory);
        var r = await Tools.RunAsync(Tools.Ffmpeg, ["-hide_banner", "-loglevel", "error", "-y", "-i", mp4, "-c", "copy",
            "-f", "hls", "-hls_time", "4", "-hls_playlist_type", "vod", "-hls_segment_type", "fmp4",
            "-hls_fmp4_init_filename", "init.mp4", "-hls_segment_filename", "segment-%03d.m4s", "index.m3u8"], ct: ct, workingDirectory: directory);
        if (r.ExitCode != 0) throw new InvalidOperationException($"ffmpeg could not package HLS: {r.StdErr.Trim()}");
    }
}
