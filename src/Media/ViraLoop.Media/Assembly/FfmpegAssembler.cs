using System.Diagnostics;
using System.Globalization;
using ViraLoop.Media.Visuals;

namespace ViraLoop.Media.Assembly;

/// <summary>A voice clip and where it starts on the timeline.</summary>
public sealed record VoiceClip(string Path, double Start, double Duration);

/// <summary>
/// Encodes the picture once, in chunks of whole frames: procedural background frames arrive raw on stdin, are scaled up,
/// captions and keywords are burned in by libass at the frames' absolute times, H.264 comes out, one file per chunk, each
/// starting on a keyframe. The soundtrack is encoded at the same time by <see cref="AudioMixer"/>;
/// <see cref="MuxChunksAsync"/> then joins the chunks and copies them with the soundtrack into a faststart MP4.
/// </summary>
public static class FfmpegAssembler
{
    /// <summary>The whole picture as one file (<paramref name="duration"/> is the renderer's frame count over the frame rate).</summary>
    public static IReadOnlyList<string> BuildArguments(RenderSettings s, BackgroundRenderer bg, string assFile, double duration, string output) =>
        BuildArguments(s, bg, assFile, 0, bg.FrameCount, output);

    /// <summary>
    /// Frames <paramref name="startFrame"/> to <paramref name="startFrame"/> + <paramref name="frameCount"/> − 1 as one file of
    /// exactly <paramref name="frameCount"/> frames starting at time 0. The frames are stamped with their absolute time
    /// while the captions are burned in (so a chunk shows the captions of its place on the timeline), then restamped from 0.
    /// </summary>
    /// <para>
    /// With <paramref name="watermarkFile"/> (a yuv420p frame of the output size from <see cref="Watermark.WatermarkPattern"/>),
    /// the invisible watermark is added to every frame after the captions (<c>blend=all_mode=grainmerge</c>: pixel + pattern − 128).
    /// </para>
    public static IReadOnlyList<string> BuildArguments(RenderSettings s, BackgroundRenderer bg, string assFile, int startFrame, int frameCount, string output,
        string? watermarkFile = null)
    {
        var inv = CultureInfo.InvariantCulture;
        // The raw input's time base is 1/fps, so the shift is a whole number of ticks: exact.
        var shift = startFrame == 0 ? "" : $"setpts=PTS+{startFrame.ToString(inv)}/(FRAME_RATE*TB),";
        var restamp = startFrame == 0 ? "" : ",setpts=PTS-STARTPTS";
        return
        [
            "-hide_banner", "-nostats", "-loglevel", "error", "-y", "-progress", "pipe:1",
            "-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", $"{bg.Width}x{bg.Height}", "-r", s.Fps.ToString(inv), "-i", "pipe:0",
            .. (watermarkFile is null ? Array.Empty<string>() : ["-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", $"{s.Width}x{s.Height}", "-i", watermarkFile]),
            "-filter_complex", $"[0:v]{shift}scale={s.Width}:{s.Height}:flags=bicubic,ass={assFile}:fontsdir={Path.GetDirectoryName(Tools.FontPath)}{restamp}"
                + (watermarkFile is null ? "[v]" : "[c];[c][1:v]blend=all_mode=grainmerge:repeatlast=1[v]"),
            "-map", "[v]",
            "-c:v", "libx264", "-preset", s.Preset, "-crf", s.Crf.ToString(inv), "-profile:v", "high", "-pix_fmt", "yuv420p",
            // Keyframes exactly every 2 s and nowhere else (no scene-cut keyframes): HLS cuts its 4 s segments on them, and x264's
            // scene-cut decisions shift with small changes to the picture (the watermark moved them).
            "-r", s.Fps.ToString(inv), "-g", (s.Fps * 2).ToString(inv), "-sc_threshold", "0",
            // The frames are converted with the BT.601 matrix (limited range): say so, so players do not guess BT.709.
            "-colorspace", "smpte170m", "-color_primaries", "bt709", "-color_trc", "bt709", "-color_range", "tv",
            "-frames:v", frameCount.ToString(inv), "-f", "mp4", output,
        ];
    }

    /// <summary>Runs a whole-picture encode in <paramref name="workDir"/> (the ASS file is referenced relative to it), streaming frames and reporting progress 0..1.</summary>
    public static Task RunAsync(IReadOnlyList<string> args, BackgroundRenderer bg, string workDir, double duration,
        IProgress<double>? progress, CancellationToken ct) =>
        RunAsync(args, bg, 0, bg.FrameCount, duration, workDir, progress, ct);

    /// <summary>
    /// Runs a chunk's encode (arguments from <see cref="BuildArguments(RenderSettings, BackgroundRenderer, string, int, int, string)"/>)
    /// in <paramref name="workDir"/>, streaming its frames and reporting the chunk's progress 0..1 (of <paramref name="seconds"/>, its length).
    /// </summary>
    public static async Task RunAsync(IReadOnlyList<string> args, BackgroundRenderer bg, int startFrame, int frameCount, double seconds, string workDir,
        IProgress<double>? progress, CancellationToken ct, Action<int, byte[]>? observeFrame = null)
    {
        if (startFrame < 0 || frameCount < 1 || startFrame + frameCount > bg.FrameCount)
            throw new ArgumentOutOfRangeException(nameof(frameCount), $"Frames {startFrame}..{startFrame + frameCount - 1} are not within the picture's {bg.FrameCount} frames.");
        var psi = new ProcessStartInfo(Tools.Ffmpeg)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workDir,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("Could not start ffmpeg.");
        Tools.Deprioritize(p);
        try
        {
            await EncodeAsync(p, bg, startFrame, frameCount, seconds, progress, ct, observeFrame);
        }
        finally
        {
            Tools.ClosePipes(p);
        }
    }

    private static async Task EncodeAsync(Process p, BackgroundRenderer bg, int startFrame, int frameCount, double seconds,
        IProgress<double>? progress, CancellationToken ct, Action<int, byte[]>? observeFrame)
    {
        var stderr = p.StandardError.ReadToEndAsync(ct);
        var reader = Task.Run(async () =>
        {
            string? line;
            while ((line = await p.StandardOutput.ReadLineAsync(ct)) is not null)
                if (line.StartsWith("out_time_us=", StringComparison.Ordinal) && long.TryParse(line.AsSpan(12), out var us) && us > 0)
                    progress?.Report(Math.Min(1, us / 1e6 / seconds));
        }, ct);
        try
        {
            await WriteFramesAsync(bg, startFrame, frameCount, p.StandardInput.BaseStream, ct, observeFrame);
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
            await p.WaitForExitAsync(CancellationToken.None);
            throw;
        }
        await reader;
        if (p.ExitCode != 0) throw new InvalidOperationException($"ffmpeg failed (exit {p.ExitCode}): {(await stderr).Trim()}");
        progress?.Report(1);
    }

    /// <summary>Renders frames in small parallel batches and writes them in order.</summary>
    private static async Task WriteFramesAsync(BackgroundRenderer bg, int startFrame, int frameCount, Stream stdin, CancellationToken ct,
        Action<int, byte[]>? observeFrame)
    {
        const int batch = 4;
        var buffers = Enumerable.Range(0, batch).Select(_ => new byte[bg.YuvFrameBytes]).ToArray();
        int end = startFrame + frameCount;
        for (int start = startFrame; start < end; start += batch)
        {
            ct.ThrowIfCancellationRequested();
            int n = Math.Min(batch, end - start);
            Parallel.For(0, n, i => bg.RenderFrameYuv420(start + i, buffers[i]));
            for (int i = 0; i < n; i++)
            {
                observeFrame?.Invoke(start + i, buffers[i]);
                await stdin.WriteAsync(buffers[i], ct);
            }
        }
    }

    /// <summary>
    /// Joins the picture's chunks (in order; each starts on a keyframe, with the same encoder settings) with the concat demuxer
    /// and copies them with the AAC soundtrack into one faststart MP4, all without re-encoding.
    /// </summary>
    public static async Task MuxChunksAsync(IReadOnlyList<string> chunks, string audio, double duration, string output, string workDir, CancellationToken ct)
    {
        var list = Path.Combine(workDir, $"concat-{Guid.NewGuid():N}.txt");
        await File.WriteAllLinesAsync(list, ["ffconcat version 1.0", .. chunks.Select(c => $"file '{Path.GetFullPath(c).Replace("'", @"'\''", StringComparison.Ordinal)}'")], ct);
        try
        {
            var r = await Tools.RunAsync(Tools.Ffmpeg, ["-hide_banner", "-loglevel", "error", "-y", "-f", "concat", "-safe", "0", "-i", list, "-i", audio,
                "-map", "0:v", "-map", "1:a", "-c", "copy", "-t", duration.ToString("0.###", CultureInfo.InvariantCulture), "-movflags", "+faststart", output], ct: ct);
            if (r.ExitCode != 0) throw new InvalidOperationException($"ffmpeg could not join and mux the video: {r.StdErr.Trim()}");
        }
        finally
        {
            File.Delete(list);
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
