using System.Diagnostics;
using System.Globalization;
using ViraLoop.Media;
using ViraLoop.Media.Dna;
using ViraLoop.Media.Pipeline;

namespace ViraLoop.Bench;

/// <summary>
/// Video DNA (issue 8). The index: <c>--n</c> synthetic clustered vectors of the real dimension (<see cref="ClusteredVectors"/>,
/// n/100 clusters), built one insert at a time; then for each efSearch, queries per second with one query loop per core
/// (<c>--queries</c> distinct queries, repeated for at least 2 s) and recall@10 against an exact scan. Save and load times.
/// The vector: DNA of a 30 s preview rendered here (median of 5), and its similarity to a CRF 28 downscaled re-encode.
/// Targets: ≥ 5,000 QPS at recall@10 ≥ 0.95 on 2 cores.
/// </summary>
public static class DnaBench
{
    public static async Task RunAsync(string[] args)
    {
        var inv = CultureInfo.InvariantCulture;
        int Arg(string name, int fallback) { int i = Array.IndexOf(args, name); return i >= 0 ? int.Parse(args[i + 1], inv) : fallback; }
        int n = Arg("--n", 100_000), queryCount = Arg("--queries", 1000), m = Arg("--m", 16), efc = Arg("--efc", 100);
        bool skipVideo = args.Contains("--no-video");
        int dim = VideoDna.Dimension;
        Console.WriteLine($"# dna bench  {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC  cores={Environment.ProcessorCount}  n={n}  dim={dim}  M={m}  efConstruction={efc}  queries={queryCount}");

        var data = new ClusteredVectors(dim, Math.Max(1, n / 100), seed: 1);
        var points = data.Sample(n, seed: 2);
        var queries = data.Sample(queryCount, seed: 3);
        using var index = new DnaIndex(dim, m, efc);
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < n; i++) index.Add(i.ToString(inv), points[i]);
        double build = sw.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(inv, $"build: {build:F1} s ({n / build:N0} inserts/s, one writer)"));

        sw.Restart();
        var truth = new HashSet<string>[queryCount];
        Parallel.For(0, queryCount, q => truth[q] = index.ExactSearch(queries[q], 10).Select(x => x.Id).ToHashSet());
        double exact = sw.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(inv, $"exact search: {queryCount / exact:N0} QPS ({Environment.ProcessorCount} threads)"));

        Console.WriteLine("| efSearch | recall@10 | QPS (parallel) | p50 latency | p99 latency |");
        Console.WriteLine("| --- | --- | --- | --- | --- |");
        foreach (var ef in new[] { 10, 16, 24, 32, 48, 64, 96, 128 })
        {
            double hits = 0;
            for (int q = 0; q < queryCount; q++) hits += index.Search(queries[q], 10, ef).Count(x => truth[q].Contains(x.Id));
            double recall = hits / (queryCount * 10.0);
            int threads = Environment.ProcessorCount;
            var latencies = new List<double>[threads];
            long total = 0;
            var clock = Stopwatch.StartNew();
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
            {
                var mine = latencies[t] = new List<double>();
                int q = t * 7919 % queryCount;
                long done = 0;
                while (clock.Elapsed.TotalSeconds < 2 || done < queryCount / threads)
                {
                    long start = Stopwatch.GetTimestamp();
                    index.Search(queries[q], 10, ef);
                    mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                    q = (q + 1) % queryCount;
                    done++;
                }
                Interlocked.Add(ref total, done);
            });
            double secs = clock.Elapsed.TotalSeconds;
            var all = latencies.SelectMany(l => l).Order().ToArray();
            Console.WriteLine(string.Create(inv, $"| {ef} | {recall:F4} | {total / secs:N0} | {all[all.Length / 2]:F3} ms | {all[(int)(all.Length * 0.99)]:F3} ms |"));
        }

        var dir = Directory.CreateTempSubdirectory("vl-dna-bench-").FullName;
        try
        {
            var file = Path.Combine(dir, "dna.idx");
            sw.Restart();
            index.Save(file);
            double save = sw.Elapsed.TotalSeconds;
            sw.Restart();
            using var loaded = DnaIndex.Load(file);
            double load = sw.Elapsed.TotalSeconds;
            Console.WriteLine(string.Create(inv, $"save {save:F2} s, load {load:F2} s, file {new FileInfo(file).Length / 1048576.0:F1} MiB"));

            if (skipVideo) return;
            var pipeline = VideoPipeline.CreateOffline();
            var video = await pipeline.RunAsync(new VideoRequest { Topic = "Why octopuses are smart", DurationSeconds = 30, Preview = true, Seed = 7 }, Path.Combine(dir, "octopus"));
            var reencoded = Path.Combine(dir, "octopus-crf28.mp4");
            var r = await Tools.RunAsync(Tools.Ffmpeg, ["-v", "error", "-y", "-i", video.VideoPath, "-vf", "scale=360:640", "-c:v", "libx264", "-preset", "veryfast", "-crf", "28", "-c:a", "aac", "-b:a", "96k", reencoded]);
            if (r.ExitCode != 0) throw new InvalidOperationException(r.StdErr);
            await VideoDna.ComputeAsync(video.VideoPath, video.ManifestPath); // warm-up
            var times = new List<double>();
            float[] dna = [];
            for (int i = 0; i < 5; i++)
            {
                sw.Restart();
                dna = await VideoDna.ComputeAsync(video.VideoPath, video.ManifestPath);
                times.Add(sw.Elapsed.TotalSeconds);
            }
            var copy = await VideoDna.ComputeAsync(reencoded, video.ManifestPath);
            var b = VideoDna.BlockSimilarities(dna, copy);
            Console.WriteLine(string.Create(inv, $"DNA of a {video.DurationSeconds:F1} s preview: median {Load.Median(times):F3} s (min {times.Min():F3}, max {times.Max():F3}); re-encode CRF 28 360×640 similarity {VideoDna.Similarity(dna, copy):F4} (colour {b.Colour:F3}, motion {b.Motion:F3}, audio {b.Audio:F3}, script {b.Script:F3})"));
        }
        finally
        {
            try { Directory.Delete(dir, true); } catch (IOException) { }
        }
    }
}
