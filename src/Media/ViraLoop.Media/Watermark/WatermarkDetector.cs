using System.Diagnostics;
using System.Globalization;

namespace ViraLoop.Media.Watermark;

/// <summary>
/// Reads the invisible watermark back from a video file. The frames are decoded as gray at <see cref="AnalysisHeight"/>
/// lines (aspect kept), sampled evenly over the whole video up to <see cref="MaxFrames"/>; each frame's high-pass residual
/// (the picture minus its local mean, clipped so edges do not dominate) is averaged, and the key's sync pattern is looked
/// for at every tile scale from 0.8 to 1.25 and every offset — so a downscaled, cropped or re-encoded copy still reads.
/// </summary>
public static class WatermarkDetector
{
    public const int AnalysisHeight = 640;
    public const int MaxFrames = 90;
    private const int BlurRadius = 4;
    private const float Clip = 6;

    public static async Task<WatermarkDetection> DetectAsync(string path, WatermarkKey key, CancellationToken cancellationToken = default) =>
        (await AnalyzeAsync(path, cancellationToken)).Detect(key);

    /// <summary>Decodes and reduces <paramref name="path"/> once; the analysis then tries any number of keys.</summary>
    public static async Task<WatermarkAnalysis> AnalyzeAsync(string path, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"No video at {path}.", path);
        var (srcW, srcH, duration) = await ProbeAsync(path, cancellationToken);
        int height = AnalysisHeight;
        int width = Math.Max(16, (int)Math.Round((double)srcW / srcH * height / 2) * 2);
        double rate = Math.Clamp(MaxFrames / Math.Max(duration, 0.1), 0.5, 30);
        var psi = new ProcessStartInfo(Tools.Ffmpeg)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in new[]
        {
            "-hide_banner", "-nostats", "-loglevel", "error", "-i", path, "-an", "-sn",
            "-vf", string.Create(CultureInfo.InvariantCulture, $"fps={rate:0.###},scale={width}:{height}:flags=area,format=gray"),
            "-frames:v", MaxFrames.ToString(CultureInfo.InvariantCulture), "-f", "rawvideo", "pipe:1",
        }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("Could not start ffmpeg.");
        Tools.Deprioritize(p);
        var stderr = p.StandardError.ReadToEndAsync(cancellationToken);
        var accumulator = new ResidualAccumulator(width, height);
        try
        {
            var frame = new byte[width * height];
            var stdout = p.StandardOutput.BaseStream;
            while (await ReadFrameAsync(stdout, frame, cancellationToken)) accumulator.Add(frame);
            await p.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            try { p.Kill(true); } catch (InvalidOperationException) { }
            throw;
        }
        if (p.ExitCode != 0) throw new InvalidOperationException($"ffmpeg could not decode {path} for the watermark (exit {p.ExitCode}): {(await stderr).Trim()}");
        if (accumulator.Frames == 0) throw new InvalidDataException($"{path} has no video frames.");
        return accumulator.Build();
    }

    /// <summary>An analysis of gray frames already in memory (<paramref name="width"/> × <paramref name="height"/> bytes each).</summary>
    public static WatermarkAnalysis Analyze(IEnumerable<byte[]> grayFrames, int width, int height)
    {
        var accumulator = new ResidualAccumulator(width, height);
        foreach (var f in grayFrames) accumulator.Add(f);
        if (accumulator.Frames == 0) throw new ArgumentException("No frames.", nameof(grayFrames));
        return accumulator.Build();
    }

    private static async Task<bool> ReadFrameAsync(Stream s, byte[] frame, CancellationToken ct)
    {
        int read = 0;
        while (read < frame.Length)
        {
            int n = await s.ReadAsync(frame.AsMemory(read), ct);
            if (n == 0) return false;
            read += n;
        }
        return true;
    }

    private static async Task<(int Width, int Height, double Duration)> ProbeAsync(string path, CancellationToken ct)
    {
        var r = await Tools.RunAsync(Tools.Ffprobe, ["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height:format=duration",
            "-of", "default=noprint_wrappers=1", path], ct: ct);
        if (r.ExitCode != 0) throw new InvalidDataException($"ffprobe could not read {path}: {r.StdErr.Trim()}");
        var fields = r.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.Split('=', 2)).Where(kv => kv.Length == 2).GroupBy(kv => kv[0]).ToDictionary(g => g.Key, g => g.First()[1]);
        if (!fields.TryGetValue("width", out var w) || !fields.TryGetValue("height", out var h)
            || !int.TryParse(w, CultureInfo.InvariantCulture, out var width) || !int.TryParse(h, CultureInfo.InvariantCulture, out var height))
            throw new InvalidDataException($"{path} has no video stream.");
        double duration = fields.TryGetValue("duration", out var d) && double.TryParse(d, CultureInfo.InvariantCulture, out var dd) ? dd : 10;
        return (width, height, duration);
    }

    /// <summary>Sums each frame's clipped high-pass residual (the frame minus its box mean over (2r+1)² pixels).</summary>
    private sealed class ResidualAccumulator(int width, int height)
    {
        private readonly float[] _sum = new float[width * height];
        private readonly int[] _integral = new int[(width + 1) * (height + 1)];

        public int Frames { get; private set; }

        public void Add(byte[] frame)
        {
            if (frame.Length != width * height) throw new ArgumentException($"A frame of {width}×{height} is {width * height} bytes.", nameof(frame));
            int stride = width + 1;
            for (int y = 0; y < height; y++)
            {
                int rowSum = 0;
                for (int x = 0; x < width; x++)
                {
                    rowSum += frame[y * width + x];
                    _integral[(y + 1) * stride + x + 1] = _integral[y * stride + x + 1] + rowSum;
                }
            }
            Parallel.For(0, height, y =>
            {
                int y0 = Math.Max(0, y - BlurRadius), y1 = Math.Min(height, y + BlurRadius + 1);
                for (int x = 0; x < width; x++)
                {
                    int x0 = Math.Max(0, x - BlurRadius), x1 = Math.Min(width, x + BlurRadius + 1);
                    int box = _integral[y1 * stride + x1] - _integral[y0 * stride + x1] - _integral[y1 * stride + x0] + _integral[y0 * stride + x0];
                    float r = frame[y * width + x] - (float)box / ((y1 - y0) * (x1 - x0));
                    _sum[y * width + x] += Math.Clamp(r, -Clip, Clip);
                }
            });
            Frames++;
        }

        public WatermarkAnalysis Build()
        {
            var avg = new float[_sum.Length];
            for (int i = 0; i < avg.Length; i++) avg[i] = _sum[i] / Frames;
            return new WatermarkAnalysis(avg, width, height, Frames);
        }
    }
}
