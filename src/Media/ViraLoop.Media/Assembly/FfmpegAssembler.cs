using System.Diagnostics;
using System.Globalization;
using System.Text;
using ViraLoop.Media.Visuals;

namespace ViraLoop.Media.Assembly;

/// <summary>A voice clip and where it starts on the timeline.</summary>
public sealed record VoiceClip(string Path, double Start, double Duration);

/// <summary>
/// Encodes the video once: procedural background frames arrive raw on stdin, are scaled up, captions and
/// keywords are burned in by libass, voices are placed on the timeline, the music is ducked under them by a
/// sidechain compressor, the mix is normalised to -14 LUFS, and H.264/AAC go into a faststart MP4.
/// </summary>
public static class FfmpegAssembler
{
    public static IReadOnlyList<string> BuildArguments(RenderSettings s, BackgroundRenderer bg, IReadOnlyList<VoiceClip> voices,
        string musicPath, string assFile, double duration, string output)
    {
        var inv = CultureInfo.InvariantCulture;
        var args = new List<string>
        {
            "-hide_banner", "-nostats", "-loglevel", "error", "-y", "-progress", "pipe:1",
            "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", $"{bg.Width}x{bg.Height}", "-r", s.Fps.ToString(inv), "-i", "pipe:0",
        };
        foreach (var v in voices) { args.Add("-i"); args.Add(v.Path); }
        args.Add("-i");
        args.Add(musicPath);
        var f = new StringBuilder();
        f.Append(inv, $"[0:v]scale={s.Width}:{s.Height}:flags=bicubic,ass={assFile}:fontsdir={Path.GetDirectoryName(Tools.FontPath)},format=yuv420p[v];");
        for (int i = 0; i < voices.Count; i++)
        {
            int ms = (int)Math.Round(voices[i].Start * 1000);
            f.Append(inv, $"[{i + 1}:a]aresample=48000,aformat=channel_layouts=stereo,adelay={ms}:all=1[a{i}];");
        }
        for (int i = 0; i < voices.Count; i++) f.Append(inv, $"[a{i}]");
        f.Append(inv, $"amix=inputs={voices.Count}:normalize=0:duration=longest,apad=whole_dur={duration:0.###},asplit=2[voice][key];");
        int m = voices.Count + 1;
        f.Append(inv, $"[{m}:a]aresample=48000,aformat=channel_layouts=stereo,volume=0.45[music];");
        f.Append("[music][key]sidechaincompress=threshold=0.02:ratio=8:attack=10:release=400[ducked];");
        f.Append(inv, $"[voice][ducked]amix=inputs=2:normalize=0:duration=first,loudnorm=I=-14:TP=-1.5:LRA=11,aresample=48000,atrim=0:{duration:0.###}[a]");
        args.AddRange(["-filter_complex", f.ToString(), "-map", "[v]", "-map", "[a]",
            "-c:v", "libx264", "-preset", s.Preset, "-crf", s.Crf.ToString(inv), "-profile:v", "high", "-pix_fmt", "yuv420p",
            "-r", s.Fps.ToString(inv), "-g", (s.Fps * 2).ToString(inv),
            "-c:a", "aac", "-b:a", "160k", "-ar", "48000", "-ac", "2",
            "-t", duration.ToString("0.###", inv), "-movflags", "+faststart", output]);
        return args;
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
        var buffers = Enumerable.Range(0, batch).Select(_ => new byte[bg.FrameBytes]).ToArray();
        for (int start = 0; start < bg.FrameCount; start += batch)
        {
            ct.ThrowIfCancellationRequested();
            int n = Math.Min(batch, bg.FrameCount - start);
            Parallel.For(0, n, i => bg.RenderFrame(start + i, buffers[i]));
            for (int i = 0; i < n; i++) await stdin.WriteAsync(buffers[i], ct);
        }
    }
}
