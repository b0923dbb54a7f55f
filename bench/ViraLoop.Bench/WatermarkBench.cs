using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using ViraLoop.Media;
using ViraLoop.Media.Pipeline;
using ViraLoop.Media.Watermark;

namespace ViraLoop.Bench;

/// <summary>
/// The invisible watermark on a 1080×1920 master (30 s by default): the picture's cost (PSNR, SSIM against the same render
/// unmarked), what it costs to embed (marked and unmarked renders alternating; and the blend alone), the robustness table
/// (attack → found, raw and corrected bit accuracy, sync, the attacked copy's PSNR), and false positives over random keys.
/// </summary>
public static partial class WatermarkBench
{
    public static async Task RunAsync(string[] args)
    {
        var i = Array.IndexOf(args, "--duration");
        double duration = i >= 0 ? double.Parse(args[i + 1], CultureInfo.InvariantCulture) : 30;
        i = Array.IndexOf(args, "--keys");
        int keys = i >= 0 ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : 1000;
        var root = Directory.CreateTempSubdirectory("vl-wm-bench-").FullName;
        var inv = CultureInfo.InvariantCulture;
        try
        {
            Console.WriteLine($"# watermark bench  {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC  cores={Environment.ProcessorCount}  duration={duration} s  keys={keys}");
            var key = WatermarkKey.Configured();
            var marking = new VideoPipeline(new ViraLoop.Media.Writing.TemplateScriptWriter(), new ViraLoop.Media.Speech.EspeakSynthesizer()) { WatermarkKey = key };
            var plain = new VideoPipeline(new ViraLoop.Media.Writing.TemplateScriptWriter(), new ViraLoop.Media.Speech.EspeakSynthesizer()) { EmbedWatermark = false };
            var request = new VideoRequest { Topic = "Why octopuses are smart", DurationSeconds = duration, Seed = 7 };
            await plain.RunAsync(request with { DurationSeconds = 5, Preview = true }, Path.Combine(root, "warm"));

            // Render cost: marked and unmarked alternating, render step (assembly) and whole run.
            var renderMarked = new List<double>();
            var renderPlain = new List<double>();
            VideoResult marked = null!, unmarked = null!;
            for (int run = 0; run < 2; run++)
            {
                unmarked = await plain.RunAsync(request, Path.Combine(root, "plain"));
                renderPlain.Add(unmarked.StepSeconds[ViraLoop.Media.Pipeline.Steps.StepNames.Render]);
                marked = await marking.RunAsync(request, Path.Combine(root, "marked"));
                renderMarked.Add(marked.StepSeconds[ViraLoop.Media.Pipeline.Steps.StepNames.Render]);
            }
            var payload = WatermarkPayload.Parse(System.Text.Json.JsonDocument.Parse(File.ReadAllText(marked.ManifestPath))
                .RootElement.GetProperty("watermark").GetProperty("payload").GetString()!);
            Console.WriteLine($"render step, unmarked: {string.Join(" ", renderPlain.Select(x => x.ToString("0.00", inv)))} s   marked: {string.Join(" ", renderMarked.Select(x => x.ToString("0.00", inv)))} s   " +
                $"difference of minima {(renderMarked.Min() - renderPlain.Min()) / renderPlain.Min():P1}");

            // The embedding alone: the pattern in C#, and ffmpeg's blend over every frame (decode + blend vs decode only).
            var sw = Stopwatch.StartNew();
            var pattern = Path.Combine(root, "pattern.yuv");
            await WatermarkPattern.WriteYuv420Async(pattern, key, payload, 1080, 1920, CancellationToken.None);
            double patternSeconds = sw.Elapsed.TotalSeconds;
            double decodeOnly = await CpuSecondsAsync(["-hide_banner", "-nostats", "-i", unmarked.VideoPath, "-an", "-f", "null", "-"]);
            double decodeBlend = await CpuSecondsAsync(["-hide_banner", "-nostats", "-i", unmarked.VideoPath, "-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", "1080x1920", "-i", pattern,
                "-filter_complex", "[0:v][1:v]blend=all_mode=grainmerge:repeatlast=1", "-an", "-f", "null", "-"]);
            double embed = patternSeconds + Math.Max(0, decodeBlend - decodeOnly);
            Console.WriteLine($"embedding alone: pattern {patternSeconds:0.000} s + blend {decodeBlend - decodeOnly:0.00} CPU-s (decode {decodeOnly:0.00}, decode+blend {decodeBlend:0.00})" +
                $" = {embed / renderPlain.Min():P1} of the render step's wall time ({renderPlain.Min():0.00} s; an upper bound: CPU-s against wall-s on 2 cores)");

            var (psnr, ssim) = await QualityAsync(marked.VideoPath, unmarked.VideoPath, "null");
            Console.WriteLine($"picture cost: PSNR {psnr:0.00} dB, SSIM {ssim:0.0000} (marked vs unmarked master)");

            // Robustness: each attack on the marked master.
            Console.WriteLine();
            Console.WriteLine("| attack | found | payload | raw bit accuracy | payload bit accuracy | sync | scale | attacked copy's PSNR vs the master |");
            Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- |");
            const string crop = "crop=972:1728";
            var attacks = new (string Name, string[] Args, string Geometry)[]
            {
                ("none (the master as delivered)", [], "null"),
                ("re-mux without metadata", ["-map_metadata", "-1", "-c", "copy", "-f", "mov"], "null"),
                ("H.264 re-encode CRF 28", ["-c:v", "libx264", "-preset", "veryfast", "-crf", "28", "-an"], "null"),
                ("downscale to 720×1280 (CRF 23)", ["-vf", "scale=720:1280", "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-an"], "scale=720:1280"),
                ("10 % crop (centre, 972×1728, CRF 23)", ["-vf", crop, "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-an"], crop),
                ("downscale 720×1280 + CRF 28", ["-vf", "scale=720:1280", "-c:v", "libx264", "-preset", "veryfast", "-crf", "28", "-an"], "scale=720:1280"),
                ("10 % crop + 720×1280-ish downscale + CRF 28", ["-vf", $"{crop},scale=648:1152", "-c:v", "libx264", "-preset", "veryfast", "-crf", "28", "-an"], $"{crop},scale=648:1152"),
            };
            foreach (var (name, attackArgs, geometry) in attacks)
            {
                var path = marked.VideoPath;
                if (attackArgs.Length > 0)
                {
                    path = Path.Combine(root, $"attack-{Array.FindIndex(attacks, a => a.Name == name)}.mp4");
                    var r = await Tools.RunAsync(Tools.Ffmpeg, ["-v", "error", "-y", "-i", marked.VideoPath, .. attackArgs, path]);
                    if (r.ExitCode != 0) throw new InvalidOperationException(r.StdErr);
                }
                var d = await WatermarkDetector.DetectAsync(path, key);
                var (apsnr, _) = await QualityAsync(path, marked.VideoPath, geometry);
                double payloadBits = d.Payload is { } got ? 1 - ulong.PopCount(got ^ payload) / 64.0 : 0;
                Console.WriteLine($"| {name} | {(d.Found ? "yes" : "no")} | {(d.Payload == payload ? "right" : d.Payload is null ? "—" : "WRONG")} | {d.BitAccuracyAgainst(payload):P1} | {payloadBits:P0} | {d.SyncStrength:0.0}σ | {d.Scale:0.000} | {apsnr:0.0} dB |");
            }

            // False positives: the unmarked master under random keys, and the marked one under random (wrong) keys.
            Console.WriteLine();
            foreach (var (label, path) in new[] { ("unmarked master", unmarked.VideoPath), ("marked master, wrong keys", marked.VideoPath) })
            {
                sw.Restart();
                var analysis = await WatermarkDetector.AnalyzeAsync(path);
                double analyzeSeconds = sw.Elapsed.TotalSeconds;
                sw.Restart();
                var zs = new double[keys];
                int found = 0;
                Parallel.For(0, keys, k =>
                {
                    var d = analysis.Detect(WatermarkKey.Random());
                    zs[k] = d.SyncStrength;
                    if (d.Found) Interlocked.Increment(ref found);
                });
                Array.Sort(zs);
                Console.WriteLine($"false positives, {label}: {found} of {keys} keys; sync max {zs[^1]:0.00}σ, 99th percentile {zs[(int)(keys * 0.99)]:0.00}σ, median {zs[keys / 2]:0.00}σ " +
                    $"(threshold {WatermarkAnalysis.SyncThreshold:0.0}σ); analysis {analyzeSeconds:0.00} s, {sw.Elapsed.TotalMilliseconds / keys:0.0} ms a key");
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>PSNR and SSIM of <paramref name="a"/> against <paramref name="reference"/> brought to the same geometry.</summary>
    private static async Task<(double Psnr, double Ssim)> QualityAsync(string a, string reference, string geometry)
    {
        var r = await Tools.RunAsync(Tools.Ffmpeg, ["-hide_banner", "-nostats", "-i", a, "-i", reference,
            "-lavfi", $"[1:v]{geometry}[ref];[0:v]split[a1][a2];[ref]split[r1][r2];[a1][r1]psnr;[a2][r2]ssim", "-f", "null", "-"]);
        if (r.ExitCode != 0) throw new InvalidOperationException(r.StdErr);
        var psnr = Psnr().Match(r.StdErr).Groups[1].Value;
        var ssim = Ssim().Match(r.StdErr).Groups[1].Value;
        return (psnr == "inf" ? double.PositiveInfinity : double.Parse(psnr, CultureInfo.InvariantCulture), double.Parse(ssim, CultureInfo.InvariantCulture));
    }

    /// <summary>User + system CPU seconds of an ffmpeg run, as its <c>-benchmark</c> line reports them.</summary>
    private static async Task<double> CpuSecondsAsync(string[] args)
    {
        var r = await Tools.RunAsync(Tools.Ffmpeg, ["-benchmark", .. args]);
        if (r.ExitCode != 0) throw new InvalidOperationException(r.StdErr);
        var m = Bench().Match(r.StdOut + r.StdErr);
        return double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) + double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"bench: utime=([0-9.]+)s stime=([0-9.]+)s")]
    private static partial Regex Bench();

    [GeneratedRegex(@"PSNR .*average:([0-9.]+|inf)")]
    private static partial Regex Psnr();

    [GeneratedRegex(@"SSIM .*All:([0-9.]+)")]
    private static partial Regex Ssim();
}
