using System.Diagnostics;
using System.Globalization;
using ViraLoop.Media;
using ViraLoop.Media.Pipeline;

namespace ViraLoop.Bench;

/// <summary>
/// Topic to MP4 at 1080×1920, against a bare ffmpeg encode of the same final frames and audio with the same
/// settings (libx264 preset/crf, AAC 160k, faststart), measured in one run. Also the preview (540×960) time.
/// </summary>
public static class VideoBench
{
    public static async Task RunAsync(string[] args)
    {
        var i = Array.IndexOf(args, "--duration");
        double duration = i >= 0 ? double.Parse(args[i + 1], CultureInfo.InvariantCulture) : 30;
        var root = Directory.CreateTempSubdirectory("vl-video-bench-").FullName;
        try
        {
            Console.WriteLine($"# video bench  {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC  cores={Environment.ProcessorCount}  duration={duration} s");
            var pipeline = VideoPipeline.CreateOffline();
            var request = new VideoRequest { Topic = "Why octopuses are smart", DurationSeconds = duration, Seed = 7 };
            await pipeline.RunAsync(request with { DurationSeconds = 5, Preview = true }, Path.Combine(root, "warm")); // JIT and caches

            // Alternate ours and the baseline three times and compare medians: these machines are noisy.
            var oursRuns = new List<double>();
            var bareRuns = new List<double>();
            VideoResult master = null!;
            var settings = ViraLoop.Media.Assembly.RenderSettings.Master;
            var sw = new Stopwatch();
            for (int run = 0; run < 3; run++)
            {
                sw.Restart();
                master = await pipeline.RunAsync(request, Path.Combine(root, "master"));
                oursRuns.Add(sw.Elapsed.TotalSeconds);
                // The same final frames and audio, decoded to raw files (not timed), then encoded bare (timed).
                var yuv = Path.Combine(root, "frames.yuv");
                var wav = Path.Combine(root, "audio.wav");
                await Run(["-v", "error", "-y", "-i", master.VideoPath, "-f", "rawvideo", "-pix_fmt", "yuv420p", yuv]);
                await Run(["-v", "error", "-y", "-i", master.VideoPath, "-vn", "-c:a", "pcm_s16le", wav]);
                sw.Restart();
                await Run(["-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", $"{settings.Width}x{settings.Height}", "-r", "30", "-i", yuv, "-i", wav,
                    "-c:v", "libx264", "-preset", settings.Preset, "-crf", settings.Crf.ToString(CultureInfo.InvariantCulture), "-profile:v", "high",
                    "-pix_fmt", "yuv420p", "-g", "60", "-c:a", "aac", "-b:a", "160k", "-ar", "48000", "-movflags", "+faststart", Path.Combine(root, "bare.mp4")]);
                bareRuns.Add(sw.Elapsed.TotalSeconds);
                File.Delete(yuv);
            }
            double ours = Median(oursRuns), bare = Median(bareRuns);
            sw.Restart();
            await pipeline.RunAsync(request with { Preview = true }, Path.Combine(root, "preview"));
            double preview = sw.Elapsed.TotalSeconds;

            Console.WriteLine($"runs (ours / bare): {string.Join("  ", oursRuns.Zip(bareRuns, (o, b) => $"{o:0.00}/{b:0.00}"))}");
            Console.WriteLine($"ours, topic → 1080x1920 MP4   {ours,7:0.00} s (median)   steps: {string.Join(", ", master.StepSeconds.Select(kv => $"{kv.Key} {kv.Value:0.00}"))}");
            Console.WriteLine($"bare ffmpeg encode, same frames {bare,7:0.00} s (median)   ({settings.Preset}, crf {settings.Crf})");
            Console.WriteLine($"ratio                           {ours / bare,7:0.00}x   (target ≤ 1.3x)");
            Console.WriteLine($"preview, topic → 540x960 MP4    {preview,7:0.00} s   ({duration / preview:0.0}x real time)");
            Console.WriteLine($"master speed                    {duration / ours,7:0.00}x real time");

            // C2PA signing: inside each run (the pipeline's provenance step) and alone on the last master, five times (re-signing
            // replaces the manifest), against the render step of the same run.
            double render = master.StepSeconds[ViraLoop.Media.Pipeline.Steps.StepNames.Render];
            double inRun = master.StepSeconds[ViraLoop.Media.Pipeline.Steps.StepNames.Provenance];
            var signs = new List<double>();
            var reads = new List<double>();
            using (var key = ViraLoop.Media.Provenance.C2paSigningKey.Development())
            {
                var claim = ViraLoop.Media.Provenance.C2paClaimSpec.ForGeneratedVideo("bench", DateTimeOffset.UtcNow, userText: false, []);
                for (int k = 0; k < 5; k++)
                {
                    sw.Restart();
                    await ViraLoop.Media.Provenance.C2paSigner.SignAsync(master.VideoPath, claim, key);
                    signs.Add(sw.Elapsed.TotalSeconds);
                    sw.Restart();
                    if (ViraLoop.Media.Provenance.C2paReader.TryRead(master.VideoPath) is not { Valid: true }) throw new InvalidOperationException("The re-signed master does not verify.");
                    reads.Add(sw.Elapsed.TotalSeconds);
                }
            }
            double sign = Median(signs);
            Console.WriteLine($"C2PA signing, in the last run   {inRun,7:0.000} s   = {inRun / render:P2} of its render step ({render:0.00} s)");
            Console.WriteLine($"C2PA signing alone, 5 runs      {sign,7:0.000} s (median; {string.Join(" ", signs.Select(x => x.ToString("0.000", CultureInfo.InvariantCulture)))})   = {sign / render:P2} of the render step   file {new FileInfo(master.VideoPath).Length / 1e6:0.0} MB");
            Console.WriteLine($"C2PA read + verify (ours)       {Median(reads),7:0.000} s (median)");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static double Median(List<double> xs) => xs.Order().ElementAt(xs.Count / 2);

    private static async Task Run(string[] args)
    {
        var r = await Tools.RunAsync(Tools.Ffmpeg, args);
        if (r.ExitCode != 0) throw new InvalidOperationException(r.StdErr);
    }
}
