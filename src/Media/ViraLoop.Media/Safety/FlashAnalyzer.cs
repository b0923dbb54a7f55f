using System.Diagnostics;
using System.Globalization;

namespace ViraLoop.Media.Safety;

/// <summary>What the flash check found in a video: the worst second's general and red flashes, where it is, and the verdict.</summary>
public sealed record FlashReport(
    int MaxGeneralFlashesPerSecond,
    int MaxRedFlashesPerSecond,
    double WorstSecondStartsAt,
    int Frames,
    double Fps)
{
    /// <summary>WCAG 2.3.1 (Three Flashes or Below Threshold): no more than three general and three red flashes in any one second.</summary>
    public bool Passes => MaxGeneralFlashesPerSecond <= FlashAnalyzer.MaxFlashesPerSecond && MaxRedFlashesPerSecond <= FlashAnalyzer.MaxFlashesPerSecond;

    public string Describe() => Passes
        ? $"flash check passed: at most {MaxGeneralFlashesPerSecond} general and {MaxRedFlashesPerSecond} red flashes in any second ({Frames} frames)"
        : $"the video flashes {Math.Max(MaxGeneralFlashesPerSecond, MaxRedFlashesPerSecond)} times a second at {WorstSecondStartsAt:0.0} s "
          + $"({MaxGeneralFlashesPerSecond} general, {MaxRedFlashesPerSecond} red; the limit is {FlashAnalyzer.MaxFlashesPerSecond}, WCAG 2.3.1)";
}

/// <summary>A finished video that fails the flash check: it is not delivered.</summary>
public sealed class UnsafeVideoException(FlashReport report) : Exception($"The video was not delivered: {report.Describe()}.")
{
    public FlashReport Report { get; } = report;
}

/// <summary>
/// Measures flashes in rendered frames the way WCAG 2.3.1 and ITU-R BT.1702 describe them. A <em>transition</em> between
/// two frames is a change of relative luminance by at least 0.1 where the darker state is below 0.8, over an area of at
/// least a quarter of a 10° visual field (taken, as WCAG's 1024×768 reference does, as 341×256 of 1024×768: 2.8 % of the
/// frame, counted separately for brighter and darker changes). A <em>flash</em> is a pair of opposing transitions; a
/// <em>red flash</em> is the same with saturated red (R/(R+G+B) ≥ 0.8) and a red change of at least 20 on BT.1702's
/// (R−G−B)·320 scale. More than three flashes of either kind in any one second fails.
/// </summary>
public static class FlashAnalyzer
{
    public const int MaxFlashesPerSecond = 3;
    public const double LuminanceStep = 0.1, DarkerBelow = 0.8, RedRatio = 0.8, RedStep = 20;

    /// <summary>A quarter of WCAG's 10° field (341×256 of a 1024×768 screen) as a share of the frame.</summary>
    public const double AreaShare = 0.25 * 341 * 256 / (1024.0 * 768.0);

    private static readonly double[] Linear = Enumerable.Range(0, 256).Select(v =>
    {
        var c = v / 255.0;
        return c <= 0.04045 ? c / 12.92 : Math.Pow((c + 0.055) / 1.055, 2.4);
    }).ToArray();

    /// <summary>
    /// The grid frames are analysed at (the check is about large areas: a cell is 1/576 of the frame, the area threshold
    /// 16 cells), whether reduced while they are rendered or decoded from a file.
    /// </summary>
    public const int GridWidth = 18, GridHeight = 32;

    /// <summary>
    /// One rendered frame (planar YUV 4:2:0, BT.601 limited range, as the renderer writes it) reduced to the grid as RGB24,
    /// each cell the mean of 4×4 samples: what the encode's frame observer keeps, at a fraction of a decode's cost.
    /// </summary>
    public static byte[] SampleYuv420(byte[] yuv, int width, int height)
    {
        var grid = new byte[GridWidth * GridHeight * 3];
        var (uBase, vBase, cw) = (width * height, width * height + width / 2 * (height / 2), width / 2);
        for (var gy = 0; gy < GridHeight; gy++)
        for (var gx = 0; gx < GridWidth; gx++)
        {
            int sy = 0, su = 0, sv = 0;
            for (var j = 0; j < 4; j++)
            for (var i = 0; i < 4; i++)
            {
                var x = Math.Min(width - 1, (gx * 4 + i) * width / (GridWidth * 4) + width / (GridWidth * 8));
                var y = Math.Min(height - 1, (gy * 4 + j) * height / (GridHeight * 4) + height / (GridHeight * 8));
                sy += yuv[y * width + x];
                su += yuv[uBase + y / 2 * cw + x / 2];
                sv += yuv[vBase + y / 2 * cw + x / 2];
            }
            int c = sy / 16 - 16, d = su / 16 - 128, e = sv / 16 - 128;
            var o = (gy * GridWidth + gx) * 3;
            grid[o] = Clamp((298 * c + 409 * e + 128) >> 8);
            grid[o + 1] = Clamp((298 * c - 100 * d - 208 * e + 128) >> 8);
            grid[o + 2] = Clamp((298 * c + 516 * d + 128) >> 8);
        }
        return grid;

        static byte Clamp(int v) => (byte)Math.Clamp(v, 0, 255);
    }

    /// <summary>Decodes a video with ffmpeg to the grid (RGB24 frames); also its frame rate.</summary>
    public static async Task<(List<byte[]> Frames, double Fps)> DecodeGridAsync(string video, CancellationToken ct = default)
    {
        var probe = await Tools.RunAsync(Tools.Ffprobe, ["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=r_frame_rate", "-of", "csv=p=0", video], ct: ct);
        if (probe.ExitCode != 0) throw new MediaInputException($"ffprobe could not read {video}: {probe.StdErr.Trim()}");
        var frames = await DecodeAsync(video, GridWidth, GridHeight, ct);
        return (frames, ParseRate(probe.StdOut.Trim()));
    }

    /// <summary>Decodes a video file to the grid with ffmpeg and analyses every frame (as the encode's own frames are).</summary>
    public static async Task<FlashReport> AnalyzeAsync(string video, CancellationToken ct = default)
    {
        var (frames, fps) = await DecodeGridAsync(video, ct);
        return Analyze(frames, GridWidth, GridHeight, fps);
    }

    private static async Task<List<byte[]>> DecodeAsync(string video, int width, int height, CancellationToken ct)
    {
        var psi = new ProcessStartInfo(Tools.Ffmpeg) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-v", "error", "-i", video, "-an", "-vf", $"scale={width}:{height}:flags=area,format=rgb24", "-f", "rawvideo", "-" })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("Could not start ffmpeg.");
        Tools.Deprioritize(p);
        try
        {
            var errors = p.StandardError.ReadToEndAsync(ct);
            var frames = new List<byte[]>();
            var size = width * height * 3;
            var output = p.StandardOutput.BaseStream;
            while (true)
            {
                var frame = new byte[size];
                var read = 0;
                while (read < size)
                {
                    var n = await output.ReadAsync(frame.AsMemory(read, size - read), ct);
                    if (n == 0) break;
                    read += n;
                }
                if (read < size) break;
                frames.Add(frame);
            }
            await p.WaitForExitAsync(ct);
            if (p.ExitCode != 0) throw new MediaInputException($"ffmpeg could not decode {video} for the flash check: {(await errors).Trim()}");
            return frames;
        }
        finally
        {
            Tools.ClosePipes(p);
        }
    }

    /// <summary>Analyses RGB24 frames of one size at a frame rate.</summary>
    public static FlashReport Analyze(IReadOnlyList<byte[]> frames, int width, int height, double fps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(fps, 0);
        var pixels = width * height;
        var minArea = (int)Math.Ceiling(AreaShare * pixels);
        // Per frame: the direction of a general and of a red transition from the previous frame (+1 brighter, −1 darker, 0 none).
        var general = new int[frames.Count];
        var red = new int[frames.Count];
        for (var f = 1; f < frames.Count; f++)
        {
            var (a, b) = (frames[f - 1], frames[f]);
            int up = 0, down = 0, redUp = 0, redDown = 0;
            for (var i = 0; i < pixels; i++)
            {
                var o = i * 3;
                var y0 = Luminance(a, o);
                var y1 = Luminance(b, o);
                var delta = y1 - y0;
                if (Math.Abs(delta) >= LuminanceStep && Math.Min(y0, y1) < DarkerBelow)
                {
                    if (delta > 0) up++; else down++;
                }
                var r0 = RedLevel(a, o);
                var r1 = RedLevel(b, o);
                if ((r0 > 0 || r1 > 0) && Math.Abs(r1 - r0) >= RedStep)
                {
                    if (r1 > r0) redUp++; else redDown++;
                }
            }
            general[f] = up >= minArea && up >= down ? 1 : down >= minArea ? -1 : 0;
            red[f] = redUp >= minArea && redUp >= redDown ? 1 : redDown >= minArea ? -1 : 0;
        }
        var (g, gAt) = WorstSecond(Flashes(general), fps);
        var (r, rAt) = WorstSecond(Flashes(red), fps);
        return new FlashReport(g, r, Math.Round(g >= r ? gAt : rAt, 2), frames.Count, fps);
    }

    /// <summary>The frames at which a flash completes: a transition opposite to the last one counted.</summary>
    private static List<int> Flashes(int[] transitions)
    {
        var flashes = new List<int>();
        var last = 0;
        for (var f = 0; f < transitions.Length; f++)
        {
            if (transitions[f] == 0) continue;
            if (last != 0 && transitions[f] == -last)
            {
                flashes.Add(f);
                last = 0; // a flash is a pair: the next pair starts afresh
                continue;
            }
            last = transitions[f];
        }
        return flashes;
    }

    /// <summary>The most flashes within any one-second window, and where that window starts (seconds).</summary>
    private static (int Count, double At) WorstSecond(List<int> flashes, double fps)
    {
        var window = (int)Math.Round(fps);
        var (best, at) = (0, 0.0);
        var start = 0;
        for (var end = 0; end < flashes.Count; end++)
        {
            while (flashes[end] - flashes[start] >= window) start++;
            if (end - start + 1 > best) (best, at) = (end - start + 1, flashes[start] / fps);
        }
        return (best, at);
    }

    private static double Luminance(byte[] rgb, int o) => 0.2126 * Linear[rgb[o]] + 0.7152 * Linear[rgb[o + 1]] + 0.0722 * Linear[rgb[o + 2]];

    /// <summary>BT.1702's red level: (R − G − B)·320 over linear values, for saturated red only (R/(R+G+B) ≥ 0.8); else 0.</summary>
    private static double RedLevel(byte[] rgb, int o)
    {
        double r = Linear[rgb[o]], gr = Linear[rgb[o + 1]], bl = Linear[rgb[o + 2]];
        var sum = r + gr + bl;
        if (sum <= 0 || r / sum < RedRatio) return 0;
        return Math.Max(0, (r - gr - bl) * 320);
    }

    private static double ParseRate(string rate)
    {
        var parts = rate.Split('/');
        if (parts.Length == 2 && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var n)
            && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d > 0) return n / d;
        return double.TryParse(rate, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v > 0 ? v : 30;
    }
}
