using System.Diagnostics;
using System.Globalization;
using ViraLoop.Media;
using ViraLoop.Media.Pipeline;
using ViraLoop.Media.Pipeline.Steps;
using ViraLoop.Media.Safety;
using ViraLoop.Media.Safety.Moderation;

namespace ViraLoop.Bench;

/// <summary>
/// What trust and safety cost on a 1080×1920 master (30 s by default), against the render in the same run: moderation of
/// the order and the script (offline rules), the flash check's analysis, the watermark's embedding (marked and unmarked
/// renders alternating) and C2PA signing (the pipeline's provenance step).
/// </summary>
public static class TrustBench
{
    public static async Task RunAsync(string[] args)
    {
        var inv = CultureInfo.InvariantCulture;
        var i = Array.IndexOf(args, "--duration");
        double duration = i >= 0 ? double.Parse(args[i + 1], inv) : 30;
        i = Array.IndexOf(args, "--pairs");
        int pairs = i >= 0 ? int.Parse(args[i + 1], inv) : 2;
        var root = Directory.CreateTempSubdirectory("vl-trust-bench-").FullName;
        try
        {
            Console.WriteLine($"# trust bench  {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC  cores={Environment.ProcessorCount}  duration={duration} s  pairs={pairs}");
            var request = new VideoRequest { Topic = "Why octopuses are smart", DurationSeconds = duration, Seed = 7 };
            var all = VideoPipeline.CreateOffline();
            var unmarked = new VideoPipeline(new ViraLoop.Media.Writing.TemplateScriptWriter(), new ViraLoop.Media.Speech.EspeakSynthesizer()) { EmbedWatermark = false };
            await unmarked.RunAsync(request with { DurationSeconds = 5, Preview = true }, Path.Combine(root, "warm"));

            var renderAll = new List<double>();
            var renderPlain = new List<double>();
            var signing = new List<double>();
            VideoResult last = null!;
            for (var run = 0; run < pairs; run++)
            {
                renderPlain.Add((await unmarked.RunAsync(request, Path.Combine(root, "plain"))).StepSeconds[StepNames.Render]);
                last = await all.RunAsync(request, Path.Combine(root, "all"));
                renderAll.Add(last.StepSeconds[StepNames.Render]);
                signing.Add(last.StepSeconds[StepNames.Provenance]);
            }
            double render = renderPlain.Min();

            // Moderation: the order's and the script's texts through the offline rules (what the pipeline and the job grain run).
            var texts = ContentModeration.TextsOf(request).Concat(ContentModeration.TextsOf(last.Script)).ToList();
            var moderation = ContentModeration.Offline;
            await moderation.CheckTextAsync(texts, ModerationPolicy.Default);
            var times = new List<double>();
            for (var k = 0; k < 50; k++)
            {
                var sw = Stopwatch.StartNew();
                await moderation.CheckTextAsync(texts, ModerationPolicy.Default);
                await moderation.CheckTextAsync(texts, ModerationPolicy.Default); // order + script: two checks a job
                times.Add(sw.Elapsed.TotalSeconds);
            }
            double moderate = Median(times);

            // The flash check's analysis over every frame's grid (the grids themselves are sampled from frames the encode
            // already has; that sampling was measured with the encode on 2026-12-04).
            var (grids, fps) = await FlashAnalyzer.DecodeGridAsync(last.VideoPath);
            var flashTimes = new List<double>();
            for (var k = 0; k < 5; k++)
            {
                var sw = Stopwatch.StartNew();
                FlashAnalyzer.Analyze(grids, FlashAnalyzer.GridWidth, FlashAnalyzer.GridHeight, fps);
                flashTimes.Add(sw.Elapsed.TotalSeconds);
            }
            double flash = Median(flashTimes);
            double watermark = Math.Max(0, renderAll.Min() - render);
            double sign = Median(signing);

            Console.WriteLine($"render step: all checks {string.Join(" ", renderAll.Select(x => x.ToString("0.00", inv)))} s   without watermark {string.Join(" ", renderPlain.Select(x => x.ToString("0.00", inv)))} s");
            Console.WriteLine("| what | time | of the render step |");
            Console.WriteLine("| --- | --- | --- |");
            void Row(string what, double s) => Console.WriteLine(string.Create(inv, $"| {what} | {s:0.000} s | {s / render:P2} |"));
            Row($"moderation of the order and the script ({texts.Count} texts, rules; median of 50)", moderate);
            Row($"flash analysis over {grids.Count} frames' grids (median of 5)", flash);
            Row("watermark embedding (render with it minus without, minima)", watermark);
            Row("C2PA signing (the provenance step, median)", sign);
            Row("**together**", moderate + flash + watermark + sign);
        }
        finally
        {
            try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        }
    }

    private static double Median(List<double> xs)
    {
        var s = xs.Order().ToList();
        return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
    }
}
