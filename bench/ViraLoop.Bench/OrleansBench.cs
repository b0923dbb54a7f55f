using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using ViraLoop.Hosting;
using static ViraLoop.Bench.BenchEnv;

namespace ViraLoop.Bench;

/// <summary>
/// Orleans benchmarks: grain calls (in one process and across silo processes, bare Orleans vs our configuration),
/// persistent writes on PostgreSQL, RabbitMQ stream events across silos, failover after kill -9, silo start time.
/// </summary>
public static class OrleansBench
{
    private const int Callers = 64;
    private static readonly TimeSpan Warmup = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Measure = TimeSpan.FromSeconds(5);

    public static async Task RunAsync(string what, string[] args)
    {
        var rounds = IntArg(args, "--rounds", 2);
        Console.WriteLine($"# Orleans benchmarks — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, .NET {Environment.Version}");
        Console.WriteLine();
        switch (what)
        {
            case "orleans":
                await StartTimesAsync();
                await CallsInProcessAsync(rounds);
                await CallsCrossSiloAsync(rounds);
                await StorageAsync();
                await StreamsAsync(null, 32);
                await StreamsAsync(null, 64);
                await StreamsAsync("Classic", 32);
                await FailoverAsync();
                break;
            case "orleans-calls": await CallsInProcessAsync(rounds); await CallsCrossSiloAsync(rounds); break;
            case "orleans-calls-inproc": await CallsInProcessAsync(rounds, args.Contains("--diag")); break;
            case "orleans-calls-cluster": await CallsCrossSiloAsync(rounds); break;
            case "orleans-storage": await StorageAsync(); break;
            case "orleans-streams":
                await StreamsAsync(null, IntArg(args, "--streams", 32));
                if (args.Contains("--classic")) await StreamsAsync("Classic", IntArg(args, "--streams", 32));
                break;
            case "orleans-failover": await FailoverAsync(); break;
            case "orleans-start": await StartTimesAsync(); break;
            default: throw new ArgumentException("unknown orleans benchmark " + what);
        }
    }

    private static int IntArg(string[] args, string name, int dflt)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : dflt;
    }

    // ---------------------------------------------------------------- 1a: one process ------------------------------

    /// <summary>Child process: a silo and its co-hosted client; 64 callers that yield between calls. Prints RESULT.</summary>
    public static async Task InProcessChildAsync(string kind)
    {
        var dir = Directory.CreateTempSubdirectory("vl-bench-inproc-").FullName;
        try
        {
            var b = Host.CreateApplicationBuilder([]);
            b.Logging.ClearProviders();
            if (kind == "bare") b.UseOrleans(s => s.UseLocalhostClustering(SiloHosting.FreePort(), SiloHosting.FreePort()));
            // Diagnostic: bare plus the one part of UseViraLoop that sits on every call (activity propagation filters).
            else if (kind == "bare+activity") b.UseOrleans(s => s.UseLocalhostClustering(SiloHosting.FreePort(), SiloHosting.FreePort()).AddActivityPropagation());
            else b.UseOrleans(s => s.UseViraLoop(new ViraLoopOptions { Mode = "embedded", Database = Path.Combine(dir, "state.db"), SiloPort = 0, GatewayPort = 0, SiloId = "inproc" }));
            using var host = b.Build();
            await host.StartAsync();
            var grains = host.Services.GetRequiredService<IGrainFactory>();
            var refs = Enumerable.Range(0, Callers).Select(i => grains.GetGrain<IEchoGrain>(i)).ToArray();
            var r = await Load.RunAsync(Callers, Warmup, Measure, (c, i) => refs[c].Echo((int)i), yieldBetween: true);
            Console.WriteLine("RESULT " + r.Line());
            await host.StopAsync();
        }
        finally { try { Directory.Delete(dir, true); } catch (IOException) { } }
    }

    private static async Task CallsInProcessAsync(int rounds, bool diagnostic = false)
    {
        var bare = new List<LoadResult>();
        var ours = new List<LoadResult>();
        var diag = new List<LoadResult>();
        for (var r = 0; r < rounds; r++)
        {
            foreach (var kind in diagnostic ? new[] { "bare", "viraloop", "bare+activity" } : new[] { "bare", "viraloop" })
            {
                await using var child = new Child("inproc-" + kind, ["calls-inproc-child", "--kind", kind]);
                var res = LoadResult.Parse(await child.WaitResultAsync());
                (kind == "bare" ? bare : kind == "viraloop" ? ours : diag).Add(res);
                Console.Error.WriteLine($"  in-process {kind}: {N(res.PerSecond)} calls/s p50 {Ms(res.P50Ms)} p99 {Ms(res.P99Ms)}");
            }
        }
        PrintCalls("1a. Grain calls in one process (silo + co-hosted client, 64 callers yielding between calls, echo grain)", bare, ours,
            "old runtime embedded: 0.4–1.3 M msg/s (one-way, no reply)");
        if (diag.Count > 0)
        {
            Console.WriteLine($"Diagnostic, same rounds: bare + AddActivityPropagation() only: {string.Join(", ", diag.Select(x => N(x.PerSecond)))} calls/s, median {N(Load.Median(diag.Select(x => x.PerSecond)))} ({(Load.Median(diag.Select(x => x.PerSecond)) / Load.Median(bare.Select(x => x.PerSecond))).ToString("F2", CultureInfo.InvariantCulture)}× bare).");
            Console.WriteLine();
        }
    }

    // ---------------------------------------------------------------- 1b: across silo processes -------------------

    private static async Task CallsCrossSiloAsync(int rounds)
    {
        var bare = new List<LoadResult>();
        var ours = new List<LoadResult>();
        var spreads = new List<string>();
        for (var r = 0; r < rounds; r++)
        {
            foreach (var kind in new[] { "bare", "viraloop" })
            {
                var silos = new List<Child>();
                IHost? client = null;
                try
                {
                    if (kind == "bare")
                    {
                        int p1 = SiloHosting.FreePort(), g1 = SiloHosting.FreePort(), p2 = SiloHosting.FreePort(), g2 = SiloHosting.FreePort();
                        silos.Add(StartBareSilo("bare-a", p1, g1, null));
                        await silos[0].WaitReadyAsync();
                        silos.Add(StartBareSilo("bare-b", p2, g2, p1));
                        await silos[1].WaitReadyAsync();
                        client = await ConnectBareAsync([g1, g2]);
                    }
                    else
                    {
                        var o = ClusterOptions(await CreateDatabaseAsync(), $"calls{r}");
                        silos.Add(StartViraLoopSilo(o, "vl-a"));
                        silos.Add(StartViraLoopSilo(o, "vl-b"));
                        await Task.WhenAll(silos.Select(s => s.WaitReadyAsync()));
                        client = await ConnectViraLoopAsync(o);
                    }
                    var grains = client.Services.GetRequiredService<IClusterClient>();
                    var refs = Enumerable.Range(0, Callers).Select(i => grains.GetGrain<IEchoGrain>(i)).ToArray();
                    // Both silos must be in every silo's view before the grains are placed.
                    await Task.Delay(1000);
                    var where = await Task.WhenAll(refs.Select(g => g.Silo()));
                    spreads.Add($"{kind}: " + string.Join(", ", where.GroupBy(x => x).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()}")));
                    var res = await Load.RunAsync(Callers, Warmup, Measure, (c, i) => refs[c].Echo((int)i), yieldBetween: false);
                    (kind == "bare" ? bare : ours).Add(res);
                    Console.Error.WriteLine($"  cross-silo {kind}: {N(res.PerSecond)} calls/s p50 {Ms(res.P50Ms)} p99 {Ms(res.P99Ms)} ({spreads[^1]})");
                }
                finally
                {
                    if (client is not null) await StopAsync(client);
                    foreach (var s in silos) await s.DisposeAsync();
                }
            }
        }
        PrintCalls("1b. Grain calls across two silo processes, load from a third (client) process, 64 callers, echo grain with [RandomPlacement]", bare, ours,
            "old runtime cluster: 6.5k msg/s, p50 0.64 ms; target ours ≥ 65k/s");
        Console.WriteLine("Echo grains per silo (64 grains): " + string.Join("; ", spreads));
        Console.WriteLine();
    }

    private static void PrintCalls(string title, List<LoadResult> bare, List<LoadResult> ours, string old)
    {
        string Runs(List<LoadResult> l) => string.Join(", ", l.Select(x => N(x.PerSecond)));
        double mb = Load.Median(bare.Select(x => x.PerSecond)), mo = Load.Median(ours.Select(x => x.PerSecond));
        Console.WriteLine($"### {title}");
        Console.WriteLine();
        Console.WriteLine("| configuration | runs (calls/s) | median calls/s | median p50 | median p99 |");
        Console.WriteLine("| --- | --- | --- | --- | --- |");
        Console.WriteLine($"| bare Orleans | {Runs(bare)} | {N(mb)} | {Ms(Load.Median(bare.Select(x => x.P50Ms)))} | {Ms(Load.Median(bare.Select(x => x.P99Ms)))} |");
        Console.WriteLine($"| ours (UseViraLoop) | {Runs(ours)} | {N(mo)} | {Ms(Load.Median(ours.Select(x => x.P50Ms)))} | {Ms(Load.Median(ours.Select(x => x.P99Ms)))} |");
        Console.WriteLine($"| ratio ours / bare | | **{(mo / mb).ToString("F2", CultureInfo.InvariantCulture)}×** (target ≥ 0.8×) | | |");
        Console.WriteLine();
        Console.WriteLine($"Runs alternate bare, ours; {Warmup.TotalSeconds:F0} s warm-up then {Measure.TotalSeconds:F0} s measured each. Old: {old}.");
        Console.WriteLine();
    }

    // ---------------------------------------------------------------- 2: persistent writes ------------------------

    private static async Task StorageAsync()
    {
        var o = ClusterOptions(await CreateDatabaseAsync(), "storage");
        await using var silo = StartViraLoopSilo(o, "vl-store");
        await silo.WaitReadyAsync();
        var client = await ConnectViraLoopAsync(o);
        var windows = new List<LoadResult>();
        try
        {
            var grains = client.Services.GetRequiredService<IClusterClient>();
            var refs = Enumerable.Range(0, Callers).Select(i => grains.GetGrain<IWriterGrain>(i)).ToArray();
            await Task.WhenAll(refs.Select(g => g.Write(0)));
            for (var w = 0; w < 3; w++)
            {
                var res = await Load.RunAsync(Callers, w == 0 ? Warmup : TimeSpan.FromMilliseconds(200), Measure, (c, i) => refs[c].Write(i), yieldBetween: false);
                windows.Add(res);
                Console.Error.WriteLine($"  storage: {N(res.PerSecond)} writes/s p50 {Ms(res.P50Ms)} p99 {Ms(res.P99Ms)}");
            }
        }
        finally { await StopAsync(client); }
        var m = Load.Median(windows.Select(x => x.PerSecond));
        Console.WriteLine("### 2. Persistent writes on PostgreSQL (our ADO.NET grain storage on our schema; client process → one silo process; 64 grains, 64 callers, one WriteStateAsync per call)");
        Console.WriteLine();
        Console.WriteLine("| windows (writes/s) | median writes/s | median p50 | median p99 | vs bare ADO.NET earlier (2.0–2.7k/s) |");
        Console.WriteLine("| --- | --- | --- | --- | --- |");
        Console.WriteLine($"| {string.Join(", ", windows.Select(x => N(x.PerSecond)))} | {N(m)} | {Ms(Load.Median(windows.Select(x => x.P50Ms)))} | {Ms(Load.Median(windows.Select(x => x.P99Ms)))} | {(m / 2700).ToString("F2", CultureInfo.InvariantCulture)}–{(m / 2000).ToString("F2", CultureInfo.InvariantCulture)}× (target ≥ 0.9×) |");
        Console.WriteLine();
        Console.WriteLine($"PostgreSQL: {await PgSettingsAsync(o.Postgres!)}.");
        Console.WriteLine($"Three {Measure.TotalSeconds:F0} s windows after a {Warmup.TotalSeconds:F0} s warm-up; each call is one grain call whose grain writes its state (an UPSERT with an etag check).");
        Console.WriteLine();
    }

    private static async Task<string> PgSettingsAsync(string cs)
    {
        await using var c = new NpgsqlConnection(cs);
        await c.OpenAsync();
        var parts = new List<string> { c.PostgreSqlVersion.ToString() };
        foreach (var name in new[] { "fsync", "synchronous_commit", "shared_buffers" })
        {
            await using var cmd = new NpgsqlCommand($"SHOW {name}", c);
            parts.Add($"{name}={await cmd.ExecuteScalarAsync()}");
        }
        return string.Join(", ", parts);
    }

    // ---------------------------------------------------------------- 3: streams -----------------------------------

    private static async Task StreamsAsync(string? queueType, int streams)
    {
        var o = ClusterOptions(await CreateDatabaseAsync(), $"streams{(queueType ?? "q").ToLowerInvariant()[0]}{streams}");
        await using var a = StartViraLoopSilo(o, "vl-a", queueType);
        await using var b = StartViraLoopSilo(o, "vl-b", queueType);
        await Task.WhenAll(a.WaitReadyAsync(), b.WaitReadyAsync());
        var client = await ConnectViraLoopAsync(o);
        var results = new List<(int Events, double Seconds, int Dups, int Gaps, double PublishSeconds)>();
        const int perStream = 400;
        try
        {
            var grains = client.Services.GetRequiredService<IClusterClient>();
            await Task.Delay(1000);
            var pubSilo = await Task.WhenAll(Enumerable.Range(0, 600).Select(async k => (k, silo: await grains.GetGrain<IStreamPublisherGrain>(k).Silo())));
            var subSilo = await Task.WhenAll(Enumerable.Range(0, 600).Select(async k => (k, silo: await grains.GetGrain<IStreamSubscriberGrain>(k).Silo())));
            var pubsBySilo = pubSilo.GroupBy(x => x.silo).ToDictionary(g => g.Key, g => new Queue<int>(g.Select(x => x.k)));
            var subsBySilo = subSilo.GroupBy(x => x.silo).ToDictionary(g => g.Key, g => new Queue<int>(g.Select(x => x.k)));
            if (pubsBySilo.Count < 2 || subsBySilo.Count < 2) throw new InvalidOperationException("grains did not spread over both silos");
            var siloNames = pubsBySilo.Keys.OrderBy(x => x).ToArray();

            // Each stream: its publisher grain on one silo, its subscriber grain on the other (half each way).
            async Task<(int, double, int, int, double)> Round(int n, int events)
            {
                var pairs = Enumerable.Range(0, n).Select(i =>
                {
                    var from = siloNames[i % 2];
                    var to = siloNames[(i + 1) % 2];
                    return (pub: grains.GetGrain<IStreamPublisherGrain>(pubsBySilo[from].Dequeue()),
                            sub: grains.GetGrain<IStreamSubscriberGrain>(subsBySilo[to].Dequeue()), id: Guid.NewGuid());
                }).ToArray();
                await Task.WhenAll(pairs.Select(p => p.sub.Subscribe(p.id)));
                var start = DateTime.UtcNow;
                var clock = Stopwatch.StartNew();
                await Task.WhenAll(pairs.Select(async p =>
                {
                    for (var i = 0; i < events; i += 100) await p.pub.Publish(p.id, i, Math.Min(100, events - i));
                }));
                var published = clock.Elapsed.TotalSeconds;
                SubscriberProgress[] progress;
                while (true)
                {
                    progress = await Task.WhenAll(pairs.Select(p => p.sub.Progress()));
                    if (progress.All(x => x.Next >= events)) break;
                    if (clock.Elapsed > TimeSpan.FromSeconds(180))
                        throw new TimeoutException($"delivered {progress.Sum(x => Math.Min(x.Next, events))} of {n * events}");
                    await Task.Delay(50);
                }
                var last = new DateTime(progress.Max(x => x.LastTicks), DateTimeKind.Utc);
                return (n * events, (last - start).TotalSeconds, progress.Sum(x => x.Duplicates), progress.Sum(x => x.Gaps), published);
            }

            await Round(4, 100); // warm-up: queues declared, receivers and pubsub warm
            for (var r = 0; r < 3; r++)
            {
                var res = await Round(streams, perStream);
                results.Add(res);
                Console.Error.WriteLine($"  streams: {N(res.Item1 / res.Item2)} events/s end to end, duplicates {res.Item3}, gaps {res.Item4}");
            }
        }
        finally { await StopAsync(client); }
        var variant = queueType is null ? "RabbitMQ provider as UseViraLoop configures it: 8 quorum queues" : $"DIAGNOSTIC: UseViraLoop with the stream queues overridden to {queueType.ToLowerInvariant()}";
        Console.WriteLine($"### 3. Stream events across silos ({variant}; {streams} streams × {perStream} events; publisher grain on one silo, explicit subscriber grain on the other, half each way)");
        Console.WriteLine();
        Console.WriteLine("| round | events | publish done | last event delivered | events/s end to end | mean publish (confirm) wait | in order | duplicates |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- |");
        var i2 = 1;
        foreach (var r in results)
            Console.WriteLine($"| {i2++} | {N(r.Events)} | {S(r.PublishSeconds)} s | {S(r.Seconds)} s | {N(r.Events / r.Seconds)} | {Ms(r.PublishSeconds * 1000 * streams / r.Events)} | {(r.Gaps == 0 ? "yes" : $"NO ({r.Gaps} gaps)")} | {r.Dups} |");
        Console.WriteLine();
        Console.WriteLine($"Median {N(Load.Median(results.Select(r => r.Events / r.Seconds)))} events/s (target ≥ 5,000/s). Each subscriber checks every event is the next number of its stream (a lower one counts as a duplicate, a higher one as a gap). Publishers publish in calls of 100 events, each OnNextAsync awaiting the broker's confirm.");
        Console.WriteLine();
    }

    // ---------------------------------------------------------------- 4: failover ----------------------------------

    private static async Task FailoverAsync()
    {
        const int reps = 3, grainsPerRep = 32;
        var o = ClusterOptions(await CreateDatabaseAsync(), "failover");
        var survivor = StartViraLoopSilo(o, "vl-s1");
        var victim = StartViraLoopSilo(o, "vl-s2");
        var next = 3;
        var rows = new List<string>();
        var all = new List<Child> { survivor, victim };
        await Task.WhenAll(survivor.WaitReadyAsync(), victim.WaitReadyAsync());
        var client = await ConnectViraLoopAsync(o);
        try
        {
            var grains = client.Services.GetRequiredService<IClusterClient>();
            for (var rep = 0; rep < reps; rep++)
            {
                // Let the victim (the younger silo) run ≥ 12 s: young silos are probed less often.
                var age = DateTime.UtcNow - victim.ReadyUtc;
                if (age < TimeSpan.FromSeconds(12)) await Task.Delay(TimeSpan.FromSeconds(12) - age);
                var uptime = (DateTime.UtcNow - victim.ReadyUtc).TotalSeconds;
                var refs = Enumerable.Range(rep * 1000, grainsPerRep).Select(k => grains.GetGrain<IEchoGrain>(k)).ToArray();
                var before = await Task.WhenAll(refs.Select(g => g.Silo()));
                var onVictim = Enumerable.Range(0, grainsPerRep).Where(i => before[i] == victim.Name).ToArray();
                var clock = Stopwatch.StartNew();
                var killAt = TimeSpan.MaxValue;
                var firstElsewhere = new ConcurrentDictionary<int, double>();
                var failed = 0;
                using var stop = new CancellationTokenSource();
                var pumps = onVictim.Select(i => Task.Run(async () =>
                {
                    while (!stop.IsCancellationRequested)
                    {
                        var started = clock.Elapsed;
                        _ = refs[i].Silo().ContinueWith(t =>
                        {
                            if (!t.IsCompletedSuccessfully) { Interlocked.Increment(ref failed); return; }
                            if (started > killAt && t.Result != victim.Name) firstElsewhere.TryAdd(i, (clock.Elapsed - killAt).TotalSeconds);
                        }, TaskScheduler.Default);
                        try { await Task.Delay(50, stop.Token); } catch (OperationCanceledException) { }
                    }
                })).ToArray();
                await Task.Delay(1000);
                var deadTask = WaitDeclaredDeadAsync(o.Postgres!, o.ClusterId, victim.Name, clock);
                killAt = clock.Elapsed;
                victim.Kill();
                var deadline = clock.Elapsed + TimeSpan.FromSeconds(30);
                while (firstElsewhere.Count < onVictim.Length && clock.Elapsed < deadline) await Task.Delay(20);
                var declared = await deadTask.WaitAsync(TimeSpan.FromSeconds(30));
                await stop.CancelAsync();
                await Task.WhenAll(pumps);
                var times = firstElsewhere.Values.OrderBy(x => x).ToArray();
                var allBack = times.Length == onVictim.Length;
                rows.Add($"| {rep + 1} | {uptime:F0} s | {onVictim.Length} of {grainsPerRep} | {S((declared - killAt).TotalSeconds)} s | {(times.Length > 0 ? S(times[0]) : "—")} s | {S(Load.Median(times))} s | {(allBack ? S(times[^1]) + " s" : $"only {times.Length} answered in 30 s")} |");
                Console.Error.WriteLine("  failover " + rows[^1]);
                // The next victim: a fresh silo.
                victim = StartViraLoopSilo(o, $"vl-s{next++}");
                all.Add(victim);
                await victim.WaitReadyAsync();
            }
        }
        finally
        {
            await StopAsync(client);
            foreach (var s in all) await s.DisposeAsync();
        }
        Console.WriteLine("### 4. Failover: kill -9 of a silo → its grains answer on the other silo (ours, cluster mode, PostgreSQL membership)");
        Console.WriteLine();
        Console.WriteLine("Membership: ProbeTimeout 1 s, NumMissedProbesLimit 2 (set for loopback; the product default is 2 s × 3); response timeout 10 s. Two silos + client process; 32 echo grains ([RandomPlacement]) per repetition, each of the victim's grains called afresh every 50 ms (without waiting for earlier calls).");
        Console.WriteLine();
        Console.WriteLine("| repetition | victim uptime at kill | victim's grains | declared dead in membership table | first grain answers elsewhere | median grain | all its grains answer (target ≤ 3 s) |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- |");
        foreach (var r in rows) Console.WriteLine(r);
        Console.WriteLine();
    }

    private static async Task<TimeSpan> WaitDeclaredDeadAsync(string postgres, string clusterId, string silo, Stopwatch clock)
    {
        await using var c = new NpgsqlConnection(postgres);
        await c.OpenAsync();
        while (true)
        {
            await using var cmd = new NpgsqlCommand("SELECT status FROM vl_membership WHERE deployment_id = @d AND silo_name = @n ORDER BY generation DESC LIMIT 1", c);
            cmd.Parameters.AddWithValue("d", clusterId);
            cmd.Parameters.AddWithValue("n", silo);
            if (await cmd.ExecuteScalarAsync() is int status && status == (int)Orleans.Runtime.SiloStatus.Dead) return clock.Elapsed;
            await Task.Delay(25);
        }
    }

    // ---------------------------------------------------------------- 5: start times -------------------------------

    private static async Task StartTimesAsync()
    {
        var results = new Dictionary<string, List<double>> { ["bare (localhost clustering)"] = new(), ["ours embedded (SQLite)"] = new(), ["ours cluster (PostgreSQL + RabbitMQ)"] = new() };
        var pg = await CreateDatabaseAsync();
        var dir = Directory.CreateTempSubdirectory("vl-bench-start-").FullName;
        try
        {
            for (var r = -1; r < 3; r++) // r = -1: a warm-up start of each, not counted
            {
                foreach (var key in results.Keys.ToArray())
                {
                    Child child;
                    if (key.StartsWith("bare", StringComparison.Ordinal)) child = StartBareSilo("bare", SiloHosting.FreePort(), SiloHosting.FreePort(), null);
                    else if (key.Contains("embedded", StringComparison.Ordinal))
                        child = StartViraLoopSilo(new ViraLoopOptions { Mode = "embedded", Database = Path.Combine(dir, $"s{r + 1}.db") }, "embedded");
                    else child = StartViraLoopSilo(ClusterOptions(pg, $"start{r + 1}"), "cluster");
                    await using (child)
                    {
                        var t = await child.WaitReadyAsync();
                        if (r >= 0) results[key].Add(t.TotalSeconds);
                    }
                }
            }
        }
        finally { try { Directory.Delete(dir, true); } catch (IOException) { } }
        Console.WriteLine("### 5. Silo start: process start → silo started (READY on stdout), measured by the parent");
        Console.WriteLine();
        Console.WriteLine("| configuration | runs | median |");
        Console.WriteLine("| --- | --- | --- |");
        foreach (var (k, v) in results) Console.WriteLine($"| {k} | {string.Join(", ", v.Select(x => S(x) + " s"))} | {S(Load.Median(v))} s |");
        Console.WriteLine();
        Console.WriteLine("One uncounted warm-up start of each first (disk cache). The cluster silo joins a fresh cluster id on a PostgreSQL database that already has the schema.");
        Console.WriteLine();
    }
}
