using System.Diagnostics;
using System.Globalization;
using Orleans.Runtime;
using Orleans.Streams;
using ViraLoop.Client;
using ViraLoop.Grains;
using ViraLoop.Grains.Execution;
using ViraLoop.Grains.Messages;
using ViraLoop.Grains.Placement;
using ViraLoop.Hosting;
using ViraLoop.Media;
using ViraLoop.Media.Assembly;
using ViraLoop.Media.Captions;
using ViraLoop.Media.Pipeline;
using ViraLoop.Media.Visuals;
using ViraLoop.Media.Visuals.Backends;
using static ViraLoop.Bench.BenchEnv;

namespace ViraLoop.Bench;

/// <summary>
/// The job pipeline on grains: jobs per hour embedded (silo in this process) and on a cluster of silo processes
/// (2 plain + 1 GPU, PostgreSQL + RabbitMQ), against the same renders back to back on the bare in-process pipeline;
/// the scheduler's cost per dispatch; a finished scene-cache entry's answer time; kill -9 of a job's silo → its next
/// progress event.
/// </summary>
public static class PipelineBench
{
    private static readonly string[] Topics =
    [
        "Why octopuses are smart", "How bees talk by dancing", "Why the sea is salty", "How volcanoes are born",
        "Why cats purr", "How glaciers carve valleys", "Why leaves change colour", "How owls fly silently",
        "Why the sky is blue", "How coral reefs grow", "Why we dream", "How lightning forms",
    ];

    /// <summary>Distinct topics and seeds (the scene cache cannot short-cut one with another), 6–8 s previews.</summary>
    private static VideoOrder Order(int i, double duration = 0) => new()
    {
        Topic = Topics[i % Topics.Length], DurationSeconds = duration > 0 ? duration : 6 + i % 3, Preview = true, Seed = 100 + i,
    };

    /// <summary>Uncounted warm-up jobs before each grain-mode measurement (<c>--warm</c>, default: as many as measured).</summary>
    private static int WarmJobs = 1;

    /// <summary>
    /// CPU slots per silo in the jobs-per-hour cluster (<c>--cluster-cpu-slots</c>, default 1: three silo processes share
    /// this machine's cores, which is what the knob is for; the kill -9 part keeps the cluster tests' 2).
    /// </summary>
    private static int ClusterCpuSlots = 1;

    /// <summary>Silos that exited by themselves (voted dead under load, or crashed), printed with the results.</summary>
    private static readonly List<string> Notes = [];

    public static async Task RunAsync(string[] args)
    {
        var n = IntArg(args, "--jobs", 6);
        var rounds = args.Contains("--kills-only") ? 0 : IntArg(args, "--rounds", 1);
        var cluster = Environment.GetEnvironmentVariable("VIRALOOP_POSTGRES") is { Length: > 0 };
        var orders = Enumerable.Range(0, n).Select(i => Order(i)).ToArray();
        WarmJobs = IntArg(args, "--warm", n);
        ClusterCpuSlots = IntArg(args, "--cluster-cpu-slots", 1);
        if (args.Contains("--idle"))
        {
            // Diagnostic: what a cluster with nothing to do costs, per silo.
            var dir = Directory.CreateTempSubdirectory("vl-idle-").FullName;
            await using var c = await BenchCluster.StartAsync(dir, "idle");
            Console.WriteLine("PIDS " + string.Join(" ", c.Silos.Select(x => $"{x.Name}={x.Pid}")));
            await Task.Delay(TimeSpan.FromSeconds(IntArg(args, "--idle-attach", 0)));
            if (IntArg(args, "--idle-jobs", 0) is > 0 and var jobs)
                Console.WriteLine($"{jobs} jobs: {await SubmitAllAsync(c.Client, orders.Take(jobs).ToArray(), "idle"):F2} s");
            for (var w = 0; w < IntArg(args, "--idle-windows", 1); w++)
            {
                var before = c.Silos.ToDictionary(x => x.Name, x => x.CpuSeconds);
                await Task.Delay(TimeSpan.FromSeconds(5));
                Console.WriteLine($"window {w}: " + string.Join(", ", c.Silos.Select(x => $"{x.Name} {(x.CpuSeconds - before[x.Name]) / 5:F3}")) + " CPU s per second");
            }
            return;
        }
        var modes = (Array.IndexOf(args, "--modes") is var mi and >= 0 && mi + 1 < args.Length ? args[mi + 1] : "embedded,cluster").Split(',');
        Console.WriteLine($"# pipeline bench — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, .NET {Environment.Version}, {n} jobs (preview, 6–8 s), {rounds} round(s)");
        Console.WriteLine();
        var root = Directory.CreateTempSubdirectory("vl-pipeline-bench-").FullName;
        try
        {
            // JIT and disk caches for the media code in this process (the silo processes get a warm-up job of their own).
            await VideoPipeline.CreateOffline().RunAsync(Order(99, 5).ToRequest(), Path.Combine(root, "warm"));
            var runs = new Dictionary<string, List<double>> { ["bare"] = [], ["embedded"] = [], ["cluster"] = [] };
            for (var r = 0; r < rounds; r++)
            {
                Console.Error.WriteLine($"  round {r + 1} at {DateTime.UtcNow:HH:mm:ss}");
                runs["bare"].Add(await BareAsync(orders, Path.Combine(root, $"bare{r}")));
                Console.Error.WriteLine($"  bare: {S(runs["bare"][^1])} s ({DateTime.UtcNow:HH:mm:ss})");
                if (modes.Contains("embedded"))
                {
                    runs["embedded"].Add(await EmbeddedAsync(orders, Path.Combine(root, $"embedded{r}")));
                    Console.Error.WriteLine($"  embedded: {S(runs["embedded"][^1])} s ({DateTime.UtcNow:HH:mm:ss})");
                }
                if (!cluster || !modes.Contains("cluster")) continue;
                runs["cluster"].Add(await ClusterAsync(orders, Path.Combine(root, $"cluster{r}")));
                Console.Error.WriteLine($"  cluster: {S(runs["cluster"][^1])} s ({DateTime.UtcNow:HH:mm:ss})");
            }
            if (rounds > 0)
            {
                PrintThroughput(n, runs);
                if (modes.Contains("embedded")) await EmbeddedExtrasAsync(Path.Combine(root, "extras"), IntArg(args, "--dispatches", 2000));
            }
            if (cluster) await KillAsync(Path.Combine(root, "kill"), IntArg(args, "--kills", 3));
            else Console.WriteLine("(cluster mode and kill -9 skipped: VIRALOOP_POSTGRES/VIRALOOP_RABBITMQ not set; run with scripts/bench.sh pipeline)");
        }
        finally
        {
            try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        }
    }

    internal static int IntArg(string[] args, string name, int dflt)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : dflt;
    }

    // ---------------------------------------------------------------- 1: jobs per hour -----------------------------

    /// <summary>The path the CLI used before the grains: the orders one after another in this process. Seconds for all.</summary>
    private static async Task<double> BareAsync(VideoOrder[] orders, string dir)
    {
        var pipeline = VideoPipeline.CreateOffline();
        var clock = Stopwatch.StartNew();
        var cpu = ThisProcessCpu();
        for (var i = 0; i < orders.Length; i++) await pipeline.RunAsync(orders[i].ToRequest(), Path.Combine(dir, $"{i}"));
        AddCpu("bare", ThisProcessCpu() - cpu, clock.Elapsed.TotalSeconds);
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>All orders submitted at once to an embedded silo in this process; seconds from the first submit to the last completion.</summary>
    private static async Task<double> EmbeddedAsync(VideoOrder[] orders, string dir)
    {
        Directory.CreateDirectory(dir);
        await using var vl = await ViraLoopClient.StartEmbeddedAsync(Path.Combine(dir, "state.db"));
        return await SubmitAllAsync(vl, orders, "embedded", cpu: ThisProcessCpu);
    }

    private static double ThisProcessCpu() => Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;

    /// <summary>CPU seconds of the .NET processes (not ffmpeg/espeak children) while the jobs ran, and while idle after, per mode.</summary>
    private static readonly Dictionary<string, List<(double Busy, double Seconds, double IdlePerSecond)>> Cpu = [];

    private static void AddCpu(string mode, double busy, double seconds, double idlePerSecond = double.NaN) =>
        (Cpu.TryGetValue(mode, out var l) ? l : Cpu[mode] = []).Add((busy, seconds, idlePerSecond));

    /// <summary>The same on 2 plain silo processes + 1 GPU silo process (fresh database, queues and blob store), client here.</summary>
    private static async Task<double> ClusterAsync(VideoOrder[] orders, string dir)
    {
        await using var c = await BenchCluster.StartAsync(dir, "pipe", ClusterCpuSlots);
        var seconds = await SubmitAllAsync(c.Client, orders, "cluster", c.ReviveAsync, () => c.SiloCpu + ThisProcessCpu());
        Notes.AddRange(c.Exits);
        return seconds;
    }

    private static async Task<double> SubmitAllAsync(ViraLoopClient vl, VideoOrder[] orders, string label, Func<Task>? everySecond = null,
        Func<double>? cpu = null)
    {
        // Uncounted jobs first (other topics and seeds), as many as measured, all at once: every silo activates its grains
        // and compiles its hot paths (a fresh .NET process spends seconds of CPU on tiered JIT) before the clock starts.
        await using (var warm = new JobWatch(vl))
        {
            for (var i = 0; i < Math.Max(1, WarmJobs); i++) await warm.SubmitAsync(JobKeys.Of("warm", $"{label}-job{i}"), Order(orders.Length + i));
            await warm.FinishedAsync(300, everySecond);
        }
        if (cpu is not null) await Task.Delay(TimeSpan.FromSeconds(3)); // the background JIT that the warm-up set off
        await using var watch = new JobWatch(vl);
        var keys = orders.Select((_, i) => JobKeys.Of(new[] { "acme", "globex", "initech" }[i % 3], $"{label}{i}")).ToArray();
        foreach (var k in keys) await watch.SubscribeAsync(k);
        var start = DateTimeOffset.UtcNow;
        var cpu0 = cpu?.Invoke() ?? 0;
        await Task.WhenAll(keys.Select((k, i) => watch.Job(k).Submit(orders[i])));
        var done = await watch.FinishedAsync(600, everySecond);
        if (cpu is not null)
        {
            var busy = cpu() - cpu0;
            var elapsed = (DateTimeOffset.UtcNow - start).TotalSeconds;
            var idle0 = cpu();
            await Task.Delay(TimeSpan.FromSeconds(5));
            AddCpu(label, busy, elapsed, (cpu() - idle0) / 5);
        }
        if (done.FirstOrDefault(s => s.Status != JobStatus.Completed) is { } bad)
            throw new InvalidOperationException($"{label}: job {bad.TenantId}/{bad.JobId} ended {bad.Status}: {bad.Error}");
        foreach (var k in keys) AddProfile(label, watch.Events(k).Select(e => e.Event), start);
        return (done.Max(s => s.UpdatedAt) - start).TotalSeconds;
    }

    /// <summary>Seconds each job spent in each state/step (from its events' silo times), per mode: where a mode loses time.</summary>
    private static readonly Dictionary<string, Dictionary<string, List<double>>> Profile = [];

    private static void AddProfile(string mode, IEnumerable<JobProgress> events, DateTimeOffset submitted)
    {
        var byStep = Profile.TryGetValue(mode, out var m) ? m : Profile[mode] = [];
        var (label, since) = ("submit → first event", submitted);
        foreach (var e in events.DistinctBy(e => e.Sequence).OrderBy(e => e.Sequence))
        {
            var next = e.Status.IsFinal() ? "" : e.Step is { Length: > 0 } step ? $"{e.Status}/{step}" : $"{e.Status}";
            if (next == label) continue;
            (byStep.TryGetValue(label, out var l) ? l : byStep[label] = []).Add((e.At - since).TotalSeconds);
            (label, since) = (next, e.At);
            if (next == "") break;
        }
    }

    private static void PrintProfile(int jobs)
    {
        if (Cpu.Count > 0)
        {
            Console.WriteLine("CPU of the .NET processes (this one; in the cluster also the 3 silo processes; not ffmpeg or espeak-ng), while the jobs ran and, for grain modes, idle in the 5 s after:");
            Console.WriteLine();
            Console.WriteLine("| mode | CPU s while the jobs ran (per run) | CPU s per job | idle CPU s per second |");
            Console.WriteLine("| --- | --- | --- | --- |");
            foreach (var (mode, l) in Cpu)
                Console.WriteLine($"| {mode} | {string.Join(", ", l.Select(x => x.Busy.ToString("F1", CultureInfo.InvariantCulture)))} | " +
                    $"{l.Average(x => x.Busy) / jobs:F2} | " +
                    $"{(l.All(x => double.IsNaN(x.IdlePerSecond)) ? "—" : l.Average(x => x.IdlePerSecond).ToString("F3", CultureInfo.InvariantCulture))} |");
            Console.WriteLine();
            Cpu.Clear();
        }
        if (Profile.Count == 0) return;
        var modes = Profile.Keys.ToList();
        var steps = Profile.Values.SelectMany(m => m.Keys).Distinct().ToList();
        Console.WriteLine("Where the time goes: mean seconds a job spends in each state/step, from its progress events (silo clocks), and the sum over its steps:");
        Console.WriteLine();
        Console.WriteLine($"| state/step | {string.Join(" | ", modes)} |");
        Console.WriteLine($"| --- |{string.Concat(modes.Select(_ => " --- |"))}");
        foreach (var step in steps)
            Console.WriteLine($"| {step} | {string.Join(" | ", modes.Select(m => Profile[m].TryGetValue(step, out var t) ? $"{t.Average():F2} (n {t.Count})" : "—"))} |");
        Console.WriteLine($"| sum | {string.Join(" | ", modes.Select(m => $"{Profile[m].Values.Sum(t => t.Average()):F2}"))} |");
        Console.WriteLine();
        Profile.Clear();
    }

    private static void PrintThroughput(int n, Dictionary<string, List<double>> runs)
    {
        double Median(string mode) => Load.Median(runs[mode]);
        double PerHour(double seconds) => n * 3600 / seconds;
        Console.WriteLine($"### 1. Jobs per hour: {n} preview jobs (6–8 s, distinct topics and seeds)");
        Console.WriteLine();
        Console.WriteLine("| mode | runs (s for all jobs) | median | jobs/hour | vs bare |");
        Console.WriteLine("| --- | --- | --- | --- | --- |");
        foreach (var (mode, what) in new[]
                 {
                     ("bare", "bare in-process pipeline, one after another (VideoPipeline.CreateOffline().RunAsync)"),
                     ("embedded", "embedded silo in this process, all submitted at once"),
                     ("cluster", "2 silos + 1 GPU silo (processes), client here, all submitted at once"),
                 })
        {
            if (runs[mode].Count == 0) continue;
            var ratio = mode == "bare" ? "—" : $"**{(PerHour(Median(mode)) / PerHour(Median("bare"))).ToString("F2", CultureInfo.InvariantCulture)}×**";
            Console.WriteLine($"| {what} | {string.Join(", ", runs[mode].Select(S))} | {S(Median(mode))} s | {N(PerHour(Median(mode)))} | {ratio} |");
        }
        Console.WriteLine();
        foreach (var note in Notes) Console.WriteLine($"**Unplanned:** {note}");
        if (Notes.Count > 0) Console.WriteLine();
        Notes.Clear();
        Console.WriteLine($"Grain modes: from the first submit to the last job's completion (its snapshot's UpdatedAt), after {WarmJobs} uncounted warm-up jobs (other topics) and 3 s. " +
            $"Embedded: CpuSlots = cores, 4 GPU slots; cluster: CpuSlots {ClusterCpuSlots} per silo, GPU silo 2 slots, leases 4 s, job reminder 2 s. Target: cluster ≥ 0.9× bare.");
        Console.WriteLine();
        PrintProfile(n);
    }

    // ---------------------------------------------------------------- 2 + 3: scheduler, cache hits ------------------

    private static async Task EmbeddedExtrasAsync(string dir, int dispatches)
    {
        Directory.CreateDirectory(dir);
        await using var vl = await ViraLoopClient.StartEmbeddedAsync(Path.Combine(dir, "state.db"));

        // Scheduler: Enqueue + Pull + Complete, one item at a time, on a pool no GPU worker pulls from.
        var scheduler = vl.Grains.GetGrain<ISchedulerGrain>("bench");
        var samples = new List<double>();
        for (var i = -100; i < dispatches; i++)
        {
            var t0 = Stopwatch.GetTimestamp();
            await scheduler.Enqueue(Work($"bench-{i}"), "");
            var lease = (await scheduler.Pull("bench-worker", 1, 1)).Single().Lease;
            if (await scheduler.Complete(lease) != LeaseAnswer.Accepted) throw new InvalidOperationException("the scheduler refused a completion");
            if (i >= 0) samples.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds * 1000);
        }
        Console.WriteLine($"### 2. Scheduler overhead per dispatch (embedded, SQLite state; Enqueue + Pull + Complete, one item at a time, {dispatches} items after 100 uncounted)");
        Console.WriteLine();
        Console.WriteLine($"mean **{samples.Average():F0} µs** per dispatch (3 grain calls), median {Pct(samples, 0.5):F0} µs, p99 {Pct(samples, 0.99):F0} µs ({N(dispatches / (samples.Sum() / 1e6))} dispatches/s, one at a time); " +
            $"median of the first tenth {Pct(samples[..(dispatches / 10)], 0.5):F0} µs, of the last tenth {Pct(samples[^(dispatches / 10)..], 0.5):F0} µs (each call saves the whole scheduler state, history included).");
        Console.WriteLine();

        await CacheHitsAsync(vl, "embedded", 300);
    }

    /// <summary>
    /// A job, then the identical order under a new key (every scene a hit), then finished entries asked directly:
    /// the cache grain (voice entry, visual entry) and a new scene grain (what a job asks; activation + a state write).
    /// </summary>
    private static async Task CacheHitsAsync(ViraLoopClient vl, string label, int samples)
    {
        var order = Order(50, 8);
        await using var watch = new JobWatch(vl);
        await watch.SubmitAsync(JobKeys.Of("acme", "first"), order);
        var first = (await watch.FinishedAsync(300)).Single();
        await watch.SubmitAsync(JobKeys.Of("acme", "again"), order);
        var again = (await watch.FinishedAsync(300)).Single(s => s.JobId == "again");
        var script = await watch.Job(JobKeys.Of("acme", "first")).GetScript() ?? throw new InvalidOperationException("no script");
        var voices = script.Scenes.Select((s, i) => new VoiceScene("acme/hits", i, s.Narration, script.Language, 1.0, "espeak-ng")).ToArray();
        var visuals = (await vl.Grains.GetGrain<ISchedulerGrain>(SchedulerKeys.Gpu).GetDispatches())
            .Where(d => d.Outcome == "completed").Select(d => $"{CacheKeys.VisualKind}/{d.ItemId[..d.ItemId.LastIndexOf('.')]}").Distinct().ToArray();
        var dummy = Work("unused").Render; // a Done entry answers before it looks at the order
        var times = new Dictionary<string, List<double>> { ["cache grain, voice entry"] = [], ["cache grain, visual entry"] = [], ["new scene grain → cache (voice)"] = [] };
        var misses = times.Keys.ToDictionary(k => k, _ => 0);
        for (var i = 0; i < samples; i++)
        {
            var v = voices[i % voices.Length];
            var t0 = Stopwatch.GetTimestamp();
            var a = await vl.Grains.GetGrain<ISceneCacheGrain>(CacheKeys.Voice(v)).Voice(v, $"acme/hits/{i}");
            times["cache grain, voice entry"].Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            if (a.Voice is null) misses["cache grain, voice entry"]++;
            t0 = Stopwatch.GetTimestamp();
            a = await vl.Grains.GetGrain<ISceneCacheGrain>(visuals[i % visuals.Length]).Render(dummy, $"acme/hits/{i}");
            times["cache grain, visual entry"].Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            if (a.Render is null) misses["cache grain, visual entry"]++;
            t0 = Stopwatch.GetTimestamp();
            var s = await vl.Grains.GetGrain<ISceneGrain>($"acme/hit{i}/{v.SceneIndex}").Voice(v);
            times["new scene grain → cache (voice)"].Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            if (s is null) misses["new scene grain → cache (voice)"]++;
        }
        Console.WriteLine($"### 3. Cache-hit latency ({label}): a finished entry's answer, {samples} asks each (a job's {voices.Length} voice and {visuals.Length} visual entries in turn)");
        Console.WriteLine();
        Console.WriteLine("| asked | median | p99 | max | misses (no answer at once) |");
        Console.WriteLine("| --- | --- | --- | --- | --- |");
        foreach (var (what, t) in times) Console.WriteLine($"| {what} | {Ms(Pct(t, 0.5))} | {Ms(Pct(t, 0.99))} | {Ms(t.Max())} | {misses[what]} |");
        Console.WriteLine();
        Console.WriteLine($"The same {order.DurationSeconds} s order as a new job: " +
            $"{S((again.UpdatedAt - again.CreatedAt).TotalSeconds)} s with every scene a hit, vs {S((first.UpdatedAt - first.CreatedAt).TotalSeconds)} s the first time (target for an answer < 50 ms).");
        Console.WriteLine();
    }

    private static GpuWork Work(string id) => new($"{id}.1", $"visual/{id}", "bench", 1.0, new RenderScene(
        "bench/job", "bench", 0,
        new TimedScene(new SceneScript(0, SceneKind.Hook, "A scene.", [], "", 1), 0, 1, 0, [], VisualStyle.Gradient, "en"),
        Palette.Named["ocean"], 1, new VisualJob(id, "A scene.", "", "gradient", 540, 960, 1, 30, 1),
        RenderSettings.Preview, "procedural", ""));

    internal static double Pct(List<double> values, double p)
    {
        var v = values.Order().ToArray();
        return v[Math.Min(v.Length - 1, (int)(p * v.Length))];
    }

    // ---------------------------------------------------------------- 4: kill -9 → next progress event -------------

    /// <summary>
    /// Longer jobs (20 s previews) on the cluster; once one is assembling on a plain silo (its activation's silo, asked of
    /// the management grain), that silo gets kill -9; measured: kill → the first event of that job newer than any before
    /// the kill (and the same for every other unfinished job that was on the victim), then every job must complete.
    /// A fresh plain silo replaces the victim before the next repetition.
    /// </summary>
    private static async Task KillAsync(string dir, int reps)
    {
        await using var c = await BenchCluster.StartAsync(dir, "kill");
        var rows = new List<string>();
        var next = 3;
        for (var rep = 0; rep < reps; rep++)
        {
            await using var watch = new JobWatch(c.Client);
            var keys = new List<string>();
            async Task SubmitFourAsync()
            {
                for (var i = 0; i < 4; i++)
                {
                    keys.Add(JobKeys.Of("acme", $"kill{rep}x{keys.Count}"));
                    await watch.SubmitAsync(keys[^1], Order(20 + rep * 4 + keys.Count, 20));
                }
            }
            await SubmitFourAsync();
            string? victimKey = null;
            Child? victim = null;
            var deadline = watch.Clock.Elapsed + TimeSpan.FromSeconds(240);
            while (victim is null)
            {
                if (watch.Clock.Elapsed > deadline) throw new TimeoutException("no job was assembling on a plain silo within 240 s");
                await c.ReviveAsync();
                // All finished without one seen assembling on a plain silo (placed on the GPU silo, say): four more.
                if (keys.All(k => watch.Last(k)?.Status.IsFinal() == true)) await SubmitFourAsync();
                foreach (var k in keys.Where(k => watch.Last(k)?.Status == JobStatus.Assembly))
                {
                    var silo = await c.HostOfAsync(watch.Job(k));
                    victim = c.Plain.FirstOrDefault(p => p.Name == silo);
                    if (victim is null) continue;
                    victimKey = k;
                    break;
                }
                if (victim is null) await Task.Delay(100);
            }
            // Every unfinished job on the victim, and the newest event of each before the kill.
            var onVictim = new List<(string Key, long Seq)>();
            foreach (var k in keys.Where(k => watch.Last(k)?.Status.IsFinal() != true))
                if (k == victimKey || await c.HostOfAsync(watch.Job(k)) == victim.Name) onVictim.Add((k, watch.Last(k)?.Sequence ?? -1));
            var state = watch.Last(victimKey!)!;
            var killAt = watch.Clock.Elapsed;
            c.Kill(victim);
            var firsts = new List<double>();
            foreach (var (k, seq) in onVictim)
            {
                try { firsts.Add(((await watch.WaitAsync(k, e => e.Sequence > seq, 60)).At - killAt).TotalSeconds); }
                catch (TimeoutException) { firsts.Add(double.NaN); } // reported as "NaN": nothing new in 60 s
            }
            var done = await watch.FinishedAsync(300, c.ReviveAsync);
            var completed = done.Count(s => s.Status == JobStatus.Completed);
            var nextOfVictimJob = firsts[onVictim.FindIndex(x => x.Key == victimKey)];
            var after = watch.Events(victimKey!).FirstOrDefault(e => e.Event.Sequence > state.Sequence).Event;
            rows.Add($"| {rep + 1} | {victim.Name} | {state.Status.Name()} {(state.StepFraction is double f ? $"({f:P0})" : "")} | **{S(nextOfVictimJob)} s** ({after?.Status.Name()}) | {onVictim.Count}: {string.Join(", ", firsts.Select(S))} s | {completed} of {keys.Count} | {(c.Exits.Count > 0 ? string.Join("; ", c.Exits) : "—")} |");
            c.Exits.Clear();
            Console.Error.WriteLine("  kill " + rows[^1]);
            await c.ReplaceAsync(victim, $"plain-{next++}");
        }
        Console.WriteLine("### 4. kill -9 of the silo a job is assembling on → that job's next progress event (cluster: 2 silos + 1 GPU silo, client here)");
        Console.WriteLine();
        Console.WriteLine("Probe 1 s × 2 missed, response timeout 5 s, job reminder 2 s, leases 4 s (the cluster tests' settings). Four 20 s preview jobs a repetition; " +
            "the victim is the plain silo the management grain names as the host of a job in assembly. Measured at the client: kill → first event with a " +
            "sequence number above the job's newest before the kill (a redelivered old event does not count).");
        Console.WriteLine();
        Console.WriteLine("| repetition | killed | job's state at the kill | that job's next event (target < 5 s) | all unfinished jobs on the victim: next event | completed | silos that exited by themselves |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- |");
        foreach (var r in rows) Console.WriteLine(r);
        Console.WriteLine();
    }

    /// <summary>2 plain silo processes and 1 GPU silo process on a fresh database, stream queues and blob store; a client here.</summary>
    private sealed class BenchCluster : IAsyncDisposable
    {
        private readonly ViraLoopOptions _options;
        private readonly List<Child> _silos = [];
        private readonly HashSet<Child> _killed = [];

        private BenchCluster(ViraLoopOptions options) => _options = options;

        public ViraLoopClient Client { get; private set; } = null!;
        public List<Child> Plain { get; } = [];
        public Child Gpu { get; private set; } = null!;

        /// <summary>Silos that exited without being killed here (what they last printed), since the last clear.</summary>
        public List<string> Exits { get; } = [];

        public static async Task<BenchCluster> StartAsync(string dir, string name, int cpuSlots = 2)
        {
            var o = ClusterOptions(await CreateDatabaseAsync(), $"{name}{Guid.NewGuid():N}"[..12]);
            o.ResponseTimeoutSeconds = 5;
            o.Blobs = Directory.CreateDirectory(Path.Combine(dir, "blobs")).FullName;
            o.LeaseSeconds = 4;
            o.JobReminderSeconds = 2;
            o.CpuSlots = cpuSlots;
            o.GpuSlots = 2;
            var c = new BenchCluster(o);
            try
            {
                c.Plain.AddRange([c.Start("plain-1", gpu: false), c.Start("plain-2", gpu: false)]);
                c.Gpu = c.Start("gpu-1", gpu: true);
                await Task.WhenAll(c._silos.Select(s => s.WaitReadyAsync()));
                c.Client = await ViraLoopClient.ConnectAsync(o);
                return c;
            }
            catch
            {
                await c.DisposeAsync();
                throw;
            }
        }

        private Child Start(string id, bool gpu)
        {
            var env = SiloEnv(_options, id);
            if (gpu) env["ViraLoop__Roles"] = SiloMetadataKeys.GpuRole;
            var silo = new Child(id, ["silo", "--kind", "viraloop"], env);
            _silos.Add(silo);
            return silo;
        }

        /// <summary>kill -9.</summary>
        public void Kill(Child silo)
        {
            _killed.Add(silo);
            silo.Kill();
        }

        public async Task ReplaceAsync(Child dead, string id)
        {
            _killed.Add(dead);
            Plain.Remove(dead);
            var silo = Start(id, gpu: false);
            Plain.Add(silo);
            await silo.WaitReadyAsync();
        }

        /// <summary>Replaces every silo that exited by itself (a live silo voted dead by the others stops), noting why.</summary>
        public double SiloCpu => _silos.Sum(s => s.CpuSeconds);
        public IReadOnlyList<Child> Silos => _silos;

        public async Task ReviveAsync()
        {
            foreach (var dead in Plain.Append(Gpu).Where(s => s.HasExited && !_killed.Contains(s)).ToList())
            {
                var last = dead.Output.Split('\n').LastOrDefault(l => l.Length > 0) ?? "";
                Exits.Add($"{dead.Name} exited at {DateTime.UtcNow:HH:mm:ss} ({(last.Length > 200 ? last[..200] : last)})");
                Console.Error.WriteLine($"  {dead.Name} exited by itself:\n{dead.Output}");
                _killed.Add(dead);
                if (dead == Gpu)
                {
                    Gpu = Start($"{dead.Name}r", gpu: true);
                    await Gpu.WaitReadyAsync();
                }
                else await ReplaceAsync(dead, $"{dead.Name}r");
            }
        }

        /// <summary>The name of the silo the grain is active on (the management grain's last known view).</summary>
        public async Task<string?> HostOfAsync(IAddressable grain)
        {
            var management = Client.Grains.GetGrain<IManagementGrain>(0);
            var address = await management.GetActivationAddress(grain);
            if (address is null) return null;
            var hosts = await management.GetDetailedHosts(onlyActive: true);
            return hosts.FirstOrDefault(h => h.SiloAddress.Equals(address))?.SiloName;
        }

        public async ValueTask DisposeAsync()
        {
            if (Client is not null)
            {
                try { await Client.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)); } catch (Exception) { }
            }
            foreach (var s in _silos) await s.DisposeAsync();
        }
    }

    /// <summary>Jobs' progress streams: every event with its arrival time at this client; waits on events, snapshots as a fallback.</summary>
    private sealed class JobWatch(ViraLoopClient vl) : IAsyncDisposable
    {
        private readonly List<(string Key, JobProgress Event, TimeSpan At)> _events = [];
        private readonly List<StreamSubscriptionHandle<JobProgress>> _subscriptions = [];
        private readonly List<string> _keys = [];

        public Stopwatch Clock { get; } = Stopwatch.StartNew();

        public IVideoJobGrain Job(string key) => vl.Grains.GetGrain<IVideoJobGrain>(key);

        public async Task SubscribeAsync(string key)
        {
            _keys.Add(key);
            var stream = vl.Streams.GetStream<JobProgress>(StreamId.Create(StreamNames.Jobs, key));
            _subscriptions.Add(await stream.SubscribeAsync((e, _) => { lock (_events) _events.Add((key, e, Clock.Elapsed)); return Task.CompletedTask; }));
        }

        public async Task SubmitAsync(string key, VideoOrder order)
        {
            await SubscribeAsync(key);
            await Job(key).Submit(order);
        }

        public List<(JobProgress Event, TimeSpan At)> Events(string key)
        {
            lock (_events) return _events.Where(e => e.Key == key).Select(e => (e.Event, e.At)).ToList();
        }

        /// <summary>The newest event (highest sequence) seen for the job.</summary>
        public JobProgress? Last(string key) => Events(key).Select(e => e.Event).MaxBy(e => e.Sequence);

        public async Task<(JobProgress Event, TimeSpan At)> WaitAsync(string key, Func<JobProgress, bool> match, int seconds)
        {
            var deadline = Clock.Elapsed + TimeSpan.FromSeconds(seconds);
            while (true)
            {
                if (Events(key).FirstOrDefault(e => match(e.Event)) is { Event: not null } hit) return hit;
                if (Clock.Elapsed > deadline) throw new TimeoutException($"no matching event of {key} in {seconds} s");
                await Task.Delay(5);
            }
        }

        /// <summary>
        /// Every watched job's final snapshot: on its final event, or (an event late or lost) on the snapshot polled every
        /// second; <paramref name="everySecond"/> runs every second meanwhile.
        /// </summary>
        public async Task<JobSnapshot[]> FinishedAsync(int seconds, Func<Task>? everySecond = null)
        {
            var done = new Dictionary<string, JobSnapshot>();
            var deadline = Clock.Elapsed + TimeSpan.FromSeconds(seconds);
            for (var tick = 0; done.Count < _keys.Count; tick++)
            {
                if (tick % 20 == 0 && everySecond is not null) await everySecond();
                foreach (var k in _keys.Where(k => !done.ContainsKey(k)))
                {
                    if (Last(k)?.Status.IsFinal() != true && tick % 20 != 0) continue;
                    var s = await Job(k).GetSnapshot();
                    if (s.Status.IsFinal()) done[k] = s;
                }
                if (Clock.Elapsed > deadline)
                    throw new TimeoutException($"jobs not finished in {seconds} s: " + string.Join(", ", _keys.Where(k => !done.ContainsKey(k)).Select(k => $"{k} {Last(k)?.Status}")));
                if (done.Count < _keys.Count) await Task.Delay(50);
            }
            return _keys.Select(k => done[k]).ToArray();
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var s in _subscriptions)
            {
                try { await s.UnsubscribeAsync(); } catch (Exception) { }
            }
        }
    }
}
