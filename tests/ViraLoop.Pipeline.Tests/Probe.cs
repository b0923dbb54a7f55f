using System.Globalization;
using System.Text.Json;
using ViraLoop.Media;

namespace ViraLoop.Pipeline.Tests;

/// <summary>What ffprobe says about a written file.</summary>
public static class Probe
{
    public sealed record Stream(string CodecType, string CodecName, int Width, int Height, double Duration);

    public static async Task<(double Duration, IReadOnlyList<Stream> Streams)> FileAsync(string path)
    {
        var r = await Tools.RunAsync(Tools.Ffprobe, ["-v", "error", "-show_format", "-show_streams", "-of", "json", path]);
        Assert.True(r.ExitCode == 0, $"ffprobe {path}: {r.StdErr}");
        using var doc = JsonDocument.Parse(r.StdOut);
        var streams = doc.RootElement.GetProperty("streams").EnumerateArray().Select(s => new Stream(
            s.GetProperty("codec_type").GetString()!, s.GetProperty("codec_name").GetString()!,
            s.TryGetProperty("width", out var w) ? w.GetInt32() : 0, s.TryGetProperty("height", out var h) ? h.GetInt32() : 0,
            s.TryGetProperty("duration", out var d) ? double.Parse(d.GetString()!, CultureInfo.InvariantCulture) : 0)).ToList();
        var duration = double.Parse(doc.RootElement.GetProperty("format").GetProperty("duration").GetString()!, CultureInfo.InvariantCulture);
        return (duration, streams);
    }

    /// <summary>The standard deviation of the luma of a picture (a flat or black picture has almost none).</summary>
    public static async Task<double> LumaSpreadAsync(string picture)
    {
        var raw = Path.Combine(Path.GetTempPath(), $"luma-{Guid.NewGuid():N}.gray");
        var r = await Tools.RunAsync(Tools.Ffmpeg, ["-v", "error", "-i", picture, "-vf", "scale=64:-2,format=gray", "-frames:v", "1", "-f", "rawvideo", raw]);
        Assert.True(r.ExitCode == 0, r.StdErr);
        var bytes = await File.ReadAllBytesAsync(raw);
        File.Delete(raw);
        var mean = bytes.Average(b => (double)b);
        return Math.Sqrt(bytes.Average(b => (b - mean) * (b - mean)));
    }
}
