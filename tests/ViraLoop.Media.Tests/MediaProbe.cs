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

    /// <summary>The file's audio decoded by ffmpeg to mono float samples at <paramref name="rate"/> Hz.</summary>
    public static async Task<float[]> DecodeMonoAsync(string file, int rate, string? filter = null)
    {
        var path = Path.Combine(Path.GetTempPath(), $"pcm-{Guid.NewGuid():N}.f32");
        var args = new List<string> { "-v", "error", "-y", "-i", file, "-vn", "-ac", "1", "-ar", rate.ToString(CultureInfo.InvariantCulture) };
        if (filter is not null) args.AddRange(["-af", filter]);
        args.AddRange(["-f", "f32le", path]);
        var r = await Tools.RunAsync(Tools.Ffmpeg, args);
        Assert.True(r.ExitCode == 0, r.StdErr);
        var bytes = await File.ReadAllBytesAsync(path);
        File.Delete(path);
        var samples = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, samples, 0, samples.Length * 4);
        return samples;
    }

    /// <summary>An image or video frame decoded by ffmpeg to packed RGB.</summary>
    public static async Task<(byte[] Rgb, int Width, int Height)> RgbImageAsync(string file, int width, int height)
    {
        var path = Path.Combine(Path.GetTempPath(), $"img-{Guid.NewGuid():N}.rgb");
        var r = await Tools.RunAsync(Tools.Ffmpeg, ["-v", "error", "-y", "-i", file, "-frames:v", "1", "-vf", $"scale={width}:{height}",
            "-f", "rawvideo", "-pix_fmt", "rgb24", path]);
        Assert.True(r.ExitCode == 0, r.StdErr);
        var bytes = await File.ReadAllBytesAsync(path);
        File.Delete(path);
        return (bytes, width, height);
    }

    /// <summary>
    /// How much picture there is in an image or video frame (decoded at <paramref name="width"/>×<paramref name="height"/>):
    /// mean and standard deviation of the luma (BT.601) and the number of distinct colours at 5 bits a channel.
    /// A black, white or single-colour card has a spread near 0 and a handful of colours.
    /// </summary>
    public static async Task<(double MeanLuma, double LumaSd, int Colours)> PictureStatsAsync(string file, int width = 270, int height = 480)
    {
        var (rgb, w, h) = await RgbImageAsync(file, width, height);
        var luma = Enumerable.Range(0, w * h).Select(i => 0.299 * rgb[3 * i] + 0.587 * rgb[3 * i + 1] + 0.114 * rgb[3 * i + 2]).ToArray();
        double mean = luma.Average(), sd = Math.Sqrt(luma.Average(y => (y - mean) * (y - mean)));
        int colours = Enumerable.Range(0, w * h).Select(i => (rgb[3 * i] >> 3) << 10 | (rgb[3 * i + 1] >> 3) << 5 | rgb[3 * i + 2] >> 3).Distinct().Count();
        return (mean, sd, colours);
    }

    /// <summary>
    /// Text tesseract reads in one picture: the image (or a video frame at <paramref name="at"/>) goes through the ffmpeg
    /// filter <paramref name="filter"/> (a crop, a scale) into a PNG, which tesseract reads with the given language pack.
    /// </summary>
    public static async Task<string> OcrAsync(string file, string filter, string lang = "eng", double? at = null, int pageSegmentation = 6)
    {
        Assert.True(Tools.OnPath("tesseract"), "tesseract is not installed: run scripts/deps.sh media (apt-get install -y tesseract-ocr tesseract-ocr-pol)");
        var langs = await Tools.RunAsync("tesseract", ["--list-langs"]);
        Assert.True(langs.StdOut.Split('\n').Any(l => l.Trim() == lang), $"tesseract has no '{lang}' language pack: apt-get install -y tesseract-ocr-{(lang == "eng" ? "eng" : lang)}");
        var png = Path.Combine(Path.GetTempPath(), $"ocr-{Guid.NewGuid():N}.png");
        var args = new List<string> { "-v", "error", "-y" };
        if (at is { } t) args.AddRange(["-ss", t.ToString(CultureInfo.InvariantCulture)]);
        args.AddRange(["-i", file, "-frames:v", "1", "-vf", filter, png]);
        var r = await Tools.RunAsync(Tools.Ffmpeg, args);
        Assert.True(r.ExitCode == 0, r.StdErr);
        var ocr = await Tools.RunAsync("tesseract", [png, "stdout", "-l", lang, "--psm", pageSegmentation.ToString(CultureInfo.InvariantCulture)]);
        File.Delete(png);
        Assert.True(ocr.ExitCode == 0, ocr.StdErr);
        return ocr.StdOut;
    }

    /// <summary>Words of a text, lower case, letters and digits only (so OCR output and a script compare word by word).</summary>
    public static List<string> Words(string text) =>
        WordPattern().Matches(text.ToLowerInvariant()).Select(m => m.Value).ToList();

    /// <summary>The packets of one stream of a file as ffprobe reads them: presentation time, duration (seconds) and size (bytes).</summary>
    public static async Task<List<(double Pts, double Duration, int Size)>> PacketsAsync(string file, string stream)
    {
        var r = await Tools.RunAsync(Tools.Ffprobe, ["-v", "error", "-select_streams", stream, "-show_entries", "packet=pts_time,duration_time,size",
            "-of", "csv=p=0", file]);
        Assert.True(r.ExitCode == 0, r.StdErr);
        return r.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(l => l.Split(','))
            .Select(f => (double.Parse(f[0], CultureInfo.InvariantCulture), double.TryParse(f[1], CultureInfo.InvariantCulture, out var d) ? d : 0, int.Parse(f[2], CultureInfo.InvariantCulture)))
            .ToList();
    }

    /// <summary>The media segments an HLS playlist lists, in order: each #EXTINF duration (seconds) and the URI after it.</summary>
    public static List<(double Extinf, string File)> HlsSegments(string playlistText)
    {
        var lines = playlistText.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return lines.Select((l, i) => (l, i)).Where(x => x.l.StartsWith("#EXTINF:", StringComparison.Ordinal))
            .Select(x => (double.Parse(x.l[8..].Split(',')[0], CultureInfo.InvariantCulture), lines[x.i + 1]))
            .ToList();
    }

    /// <summary>MD5 of one stream's packets copied out without decoding (identical for identical bitstreams).</summary>
    public static async Task<string> StreamMd5Async(string file, string map)
    {
        var r = await Tools.RunAsync(Tools.Ffmpeg, ["-v", "error", "-i", file, "-map", map, "-c", "copy", "-f", "md5", "-"]);
        Assert.True(r.ExitCode == 0, r.StdErr);
        return r.StdOut.Trim();
    }

    /// <summary>Codec parameters of each stream (codec, profile, size, rate, and an MD5 of the decoder configuration).</summary>
    public static async Task<List<string>> CodecParametersAsync(string file)
    {
        var r = await Tools.RunAsync(Tools.Ffprobe, ["-v", "error", "-show_data_hash", "md5", "-show_entries",
            "stream=codec_name,profile,width,height,pix_fmt,sample_rate,channels,extradata_size,extradata_hash", "-of", "compact=p=0", file]);
        Assert.True(r.ExitCode == 0, r.StdErr);
        // A playlist lists its streams once under its program and once on their own: keep each stream once.
        return r.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => l.Contains("codec_name=")).Select(l => l[l.IndexOf("codec_name=", StringComparison.Ordinal)..]).Distinct().ToList();
    }

    [GeneratedRegex(@"[\p{L}\p{Nd}]+")]
    private static partial Regex WordPattern();

    [GeneratedRegex(@"I:\s+(-?[\d.]+) LUFS")]
    private static partial Regex IntegratedPattern();

    [GeneratedRegex(@"Peak:\s+(-?[\d.]+|-inf) dBFS")]
    private static partial Regex PeakPattern();

    [GeneratedRegex(@"pts_time:([\d.]+)")]
    private static partial Regex PtsPattern();
}
