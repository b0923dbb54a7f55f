using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ViraLoop.Media.Tests;

/// <summary>Inspects outputs with the real tools: ffprobe for streams, ffmpeg's ebur128 and scene filters, raw frames.</summary>
public static partial class MediaProbe
{
    public static async Task<JsonElement> ProbeAsync(string file)
    {
        var r = await Tools.RunAsync(Tools.Ffprobe, ["-v", "error", "-print_format", "json", "-show_format", "-show_streams", file]);
        Assert.True(r.ExitCode == 0, r.StdErr);
        return JsonDocument.Parse(r.StdOut).RootElement.Clone();
    }

    public static JsonElement Stream(JsonElement probe, string type) =>
        probe.GetProperty("streams").EnumerateArray().Single(s => s.GetProperty("codec_type").GetString() == type);

    public static double Duration(JsonElement probe) =>
        double.Parse(probe.GetProperty("format").GetProperty("duration").GetString()!, CultureInfo.InvariantCulture);

    /// <summary>Integrated loudness (LUFS) and true peak (dBFS) from ffmpeg's EBU R128 scanner.</summary>
    public static async Task<(double Integrated, double TruePeak)> LoudnessAsync(string file)
    {
        var r = await Tools.RunAsync(Tools.Ffmpeg, ["-hide_banner", "-nostats", "-i", file, "-af", "ebur128=peak=true", "-f", "null", "-"]);
        var summary = r.StdErr[r.StdErr.LastIndexOf("Summary:", StringComparison.Ordinal)..];
        double i = double.Parse(IntegratedPattern().Match(summary).Groups[1].Value, CultureInfo.InvariantCulture);
        double p = double.Parse(PeakPattern().Match(summary).Groups[1].Value, CultureInfo.InvariantCulture);
        return (i, p);
    }

    /// <summary>Times where ffmpeg's scene-change score exceeds the threshold.</summary>
    public static async Task<List<double>> SceneChangesAsync(string file, double threshold)
    {
        var r = await Tools.RunAsync(Tools.Ffmpeg, ["-hide_banner", "-nostats", "-i", file, "-an", "-vf",
            $"select='gt(scene\\,{threshold.ToString(CultureInfo.InvariantCulture)})',showinfo", "-f", "null", "-"]);
        return PtsPattern().Matches(r.StdErr).Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
    }

    /// <summary>One frame as 8-bit grey pixels.</summary>
    public static async Task<(byte[] Pixels, int Width, int Height)> GrayFrameAsync(string file, double at, int width, int height)
    {
        var path = Path.Combine(Path.GetTempPath(), $"frame-{Guid.NewGuid():N}.gray");
        var r = await Tools.RunAsync(Tools.Ffmpeg, ["-v", "error", "-y", "-ss", at.ToString(CultureInfo.InvariantCulture), "-i", file,
            "-frames:v", "1", "-vf", $"scale={width}:{height}", "-f", "rawvideo", "-pix_fmt", "gray", path]);
        Assert.True(r.ExitCode == 0, r.StdErr);
        var bytes = await File.ReadAllBytesAsync(path);
        File.Delete(path);
        return (bytes, width, height);
    }

    /// <summary>Mean absolute difference of two frames inside the rows [y0, y1).</summary>
    public static double MeanDiff(byte[] a, byte[] b, int width, int y0, int y1)
    {
        long sum = 0;
        for (int i = y0 * width; i < y1 * width; i++) sum += Math.Abs(a[i] - b[i]);
        return (double)sum / ((y1 - y0) * width);
    }

    /// <summary>Top-level MP4 box names in file order (faststart puts moov before mdat).</summary>
    public static List<string> TopLevelBoxes(string file)
    {
        var boxes = new List<string>();
        using var f = File.OpenRead(file);
        var header = new byte[16];
        long pos = 0;
        while (pos < f.Length && boxes.Count < 20)
        {
            f.Position = pos;
            if (f.Read(header, 0, 8) < 8) break;
            long size = (uint)(header[0] << 24 | header[1] << 16 | header[2] << 8 | header[3]);
            var name = System.Text.Encoding.ASCII.GetString(header, 4, 4);
            if (size == 1) { f.ReadExactly(header, 8, 8); size = (long)System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(header.AsSpan(8)); }
            if (size < 8) break;
            boxes.Add(name);
            pos += size;
        }
        return boxes;
    }

    [GeneratedRegex(@"I:\s+(-?[\d.]+) LUFS")]
    private static partial Regex IntegratedPattern();

    [GeneratedRegex(@"Peak:\s+(-?[\d.]+|-inf) dBFS")]
    private static partial Regex PeakPattern();

    [GeneratedRegex(@"pts_time:([\d.]+)")]
    private static partial Regex PtsPattern();
}
