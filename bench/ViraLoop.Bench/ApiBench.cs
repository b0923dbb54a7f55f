using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using ViraLoop.Client;
using ViraLoop.Contracts;
using ViraLoop.Hosting;

namespace ViraLoop.Bench;

/// <summary>
/// The HTTP API from a separate process: submissions per minute and their latency (jobs stop at the approval step, so
/// rendering is queued, not run), and progress event → SignalR client latency.
/// </summary>
public static class ApiBench
{
    public static async Task RunAsync(string[] args)
    {
        var seconds = PipelineBench.IntArg(args, "--seconds", 20);
        var concurrency = PipelineBench.IntArg(args, "--concurrency", 32);
        var dir = Directory.CreateTempSubdirectory("vl-api-bench-").FullName;
        var port = SiloHosting.FreePort();
        const string admin = "bench-admin-key-0123456789";
        var env = new Dictionary<string, string>
        {
            ["ViraLoop__Mode"] = "embedded", ["ViraLoop__Database"] = Path.Combine(dir, "state.db"), ["ViraLoop__SiloId"] = "api-bench",
            ["ViraLoop__SiloPort"] = "0", ["ViraLoop__GatewayPort"] = "0", ["ViraLoop__AdminKey"] = admin,
            ["ViraLoop__PlanVideosPerDay"] = "100000000", ["ViraLoop__PlanRenderedSecondsPerMonth"] = "1000000000000", ["ViraLoop__PlanRequestsPerMinute"] = "100000000", ["ViraLoop__PlanConcurrentJobs"] = "100000000",
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
        };
        await using var server = new Child("api-silo", ["silo", "--kind", "api"], env);
        await server.WaitReadyAsync();
        var baseUri = new Uri($"http://127.0.0.1:{port}/");
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency, PooledConnectionLifetime = TimeSpan.FromMinutes(10) }) { BaseAddress = baseUri };
        http.DefaultRequestHeaders.Add("X-Admin-Key", admin);
        var created = await (await http.PostAsJsonAsync("v1/admin/tenants/bench/keys", new { name = "bench" })).Content.ReadFromJsonAsync<JsonElement>();
        var key = created.GetProperty("secret").GetString()!;
        http.DefaultRequestHeaders.Remove("X-Admin-Key");
        http.DefaultRequestHeaders.Add("X-Api-Key", key);

        Console.WriteLine($"# api bench — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, .NET {Environment.Version}; server: a silo process (embedded mode, SQLite), client: this process, loopback");
        Console.WriteLine();
        await SubmitLoadAsync(http, concurrency, 5, "warm-up"); // uncounted
        var cpu0 = server.CpuSeconds;
        var (count, errors, latencies, elapsed) = await SubmitLoadAsync(http, concurrency, seconds, "measured");
        var cpu = server.CpuSeconds - cpu0;
        latencies.Sort();
        double P(double q) => PipelineBench.Pct(latencies, q);
        var rates = (Environment.GetEnvironmentVariable("BENCH_RATES") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToList();
        if (PipelineBench.IntArg(args, "--rate", 0) is > 0 and var r) rates.Add(r);
        Console.WriteLine($"### 1. Submissions (POST /v1/videos, API key, {concurrency} concurrent requests, {seconds} s after 5 s uncounted; each job is written and scripted, then waits for approval)");
        Console.WriteLine();
        Console.WriteLine("| accepted (202) | other answers | per minute | p50 | p95 | p99 | max | server CPU s per 1,000 |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- |");
        Console.WriteLine($"| {count:N0} | {errors} | **{count / elapsed * 60:N0}** | {P(0.5):F1} ms | {P(0.95):F1} ms | **{P(0.99):F1} ms** | {latencies[^1]:F1} ms | {cpu / Math.Max(1, count) * 1000:F1} |");
        Console.WriteLine();
        Console.WriteLine("Target: ≥ 10,000 a minute at p99 < 50 ms on 2 cores.");
        Console.WriteLine();
        if (rates.Count > 0)
        {
            // Open loop: requests leave on a fixed schedule whatever the answers do; latency counts from the scheduled
            // time (a late answer delays no later request, so queueing is not hidden).
            Console.WriteLine($"### 1b. Submissions at a fixed offered rate (open loop, {seconds} s each after 3 s uncounted; latency from the scheduled send)");
            Console.WriteLine();
            Console.WriteLine("| offered per minute | accepted (202) | other | p50 | p95 | p99 | max | server CPU s per 1,000 |");
            Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- |");
            foreach (var rate in rates)
            {
                await PacedLoadAsync(http, rate, 3);
                var c0 = server.CpuSeconds;
                var (ok, bad, paced) = await PacedLoadAsync(http, rate, seconds);
                var c = server.CpuSeconds - c0;
                paced.Sort();
                double Q(double q) => PipelineBench.Pct(paced, q);
                Console.WriteLine($"| {rate * 60:N0} | {ok:N0} | {bad} | {Q(0.5):F1} ms | {Q(0.95):F1} ms | **{Q(0.99):F1} ms** | {paced[^1]:F1} ms | {c / Math.Max(1, ok) * 1000:F1} |");
            }
            Console.WriteLine();
        }

        // Progress event → SignalR client: the event's time at the silo (its At) to its arrival here (same clock).
        await using var sdk = new ViraLoopHttpClient(baseUri, key);
        var delays = new List<double>();
        for (var i = 0; i < PipelineBench.IntArg(args, "--jobs", 3); i++)
        {
            var video = await sdk.SubmitAsync(new CreateVideoBody { Topic = $"How glaciers carve valleys {i}", DurationSeconds = 6, Preview = true, Seed = i });
            await foreach (var e in sdk.WatchAsync(video.Id))
                if (e.Progress is { } p) delays.Add((DateTimeOffset.UtcNow - p.At).TotalMilliseconds);
        }
        delays.Sort();
        double D(double q) => PipelineBench.Pct(delays, q);
        Console.WriteLine($"### 2. Progress event → SignalR client (hub stream over WebSockets, {delays.Count} events of {PipelineBench.IntArg(args, "--jobs", 3)} preview jobs, embedded silo)");
        Console.WriteLine();
        Console.WriteLine($"p50 {D(0.5):F1} ms, p99 **{D(0.99):F1} ms**, max {delays[^1]:F1} ms (target p99 < 100 ms).");
        Console.WriteLine();
        try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        if (Environment.GetEnvironmentVariable("VIRALOOP_POSTGRES") is { Length: > 0 }) await CrossSiloAsync(PipelineBench.IntArg(args, "--cross-jobs", 6));
    }

    /// <summary>
    /// Progress across silos: a cluster of two silo processes (PostgreSQL, RabbitMQ streams; the second also a GPU silo);
    /// each job's feed is followed through the hub of the silo that does not run the job, after a warm-up job.
    /// </summary>
    private static async Task CrossSiloAsync(int jobs)
    {
        var o = BenchEnv.ClusterOptions(await BenchEnv.CreateDatabaseAsync(), $"api{Guid.NewGuid():N}"[..12]);
        o.AdminKey = "bench-admin-key-0123456789";
        o.Blobs = Directory.CreateTempSubdirectory("vl-api-bench-blobs-").FullName;
        var ports = new[] { SiloHosting.FreePort(), SiloHosting.FreePort() };
        var children = new List<Child>();
        try
        {
            for (var i = 0; i < 2; i++)
            {
                var env = BenchEnv.SiloEnv(o, $"silo-{i + 1}");
                env["ASPNETCORE_URLS"] = $"http://127.0.0.1:{ports[i]}";
                if (i == 1) env["ViraLoop__Roles"] = "gpu";
                var child = new Child($"silo-{i + 1}", ["silo", "--kind", "api"], env);
                children.Add(child);
                await child.WaitReadyAsync();
            }
            var uris = ports.Select(p => new Uri($"http://127.0.0.1:{p}/")).ToArray();
            using var admin = new HttpClient { BaseAddress = uris[0] };
            admin.DefaultRequestHeaders.Add("X-Admin-Key", o.AdminKey);
            var key = (await (await admin.PostAsJsonAsync("v1/admin/tenants/bench/keys", new { name = "bench" })).Content.ReadFromJsonAsync<JsonElement>())
                .GetProperty("secret").GetString()!;
            var delays = new List<double>();
            var on = new Dictionary<string, int>();
            for (var i = 0; i <= jobs; i++)
            {
                await using var submitter = new ViraLoopHttpClient(uris[i % 2], key);
                var video = await submitter.SubmitAsync(new CreateVideoBody { Topic = $"How rivers shape deltas {i}", DurationSeconds = 6, Preview = true, Seed = i,
                    RequireApproval = true });
                // The silo that runs the job: the one its state changes come from.
                var jobsView = await admin.GetFromJsonAsync<JsonElement>("v1/admin/ops/jobs");
                var runs = jobsView.GetProperty("recent").EnumerateArray().First(c => c.GetProperty("jobKey").GetString() == $"bench/{video.Id}").GetProperty("silo").GetString()!;
                var other = runs == "silo-1" ? 1 : 0;
                await using var watcher = new ViraLoopHttpClient(uris[other], key);
                // Counted: the events published after the approval, which the watcher is already subscribed for (the
                // ones before it may come from the catch-up of a feed that started late).
                var mine = new List<double>();
                DateTimeOffset? approvedAt = null;
                Task? approving = null;
                await foreach (var e in watcher.WatchAsync(video.Id))
                {
                    var status = e.Progress?.Status ?? e.Snapshot?.Status;
                    if (approvedAt is null && status == "awaiting-approval")
                    {
                        approvedAt = DateTimeOffset.UtcNow;
                        // Not awaited here: the feed is read while the approval is answered (events wait for no one).
                        approving = submitter.ApproveAsync(video.Id);
                    }
                    else if (e.Progress is { } p && approvedAt is { } t && p.At > t)
                    {
                        mine.Add((DateTimeOffset.UtcNow - p.At).TotalMilliseconds);
                        if (Environment.GetEnvironmentVariable("BENCH_VERBOSE") is { Length: > 0 })
                            Console.Error.WriteLine($"  job {i} on {runs}: #{p.Sequence} {p.Status} {p.Step} {p.Percent:F0}% after {mine[^1]:F1} ms");
                    }
                }
                if (approving is not null) await approving;
                if (i == 0) continue; // warm-up: cold streams and first calls
                delays.AddRange(mine);
                on[runs] = on.GetValueOrDefault(runs) + 1;
            }
            delays.Sort();
            double D(double q) => PipelineBench.Pct(delays, q);
            Console.WriteLine($"### 3. Progress event → SignalR client across silos ({delays.Count} events of {jobs} preview jobs after 1 uncounted; "
                + $"jobs ran on {string.Join(", ", on.Select(kv => $"{kv.Key} ×{kv.Value}"))}; each followed through the other silo's hub; RabbitMQ streams)");
            Console.WriteLine();
            Console.WriteLine($"p50 {D(0.5):F1} ms, p95 {D(0.95):F1} ms, p99 **{D(0.99):F1} ms**, max {delays[^1]:F1} ms (target p99 < 100 ms).");
        }
        finally
        {
            foreach (var c in children) await c.DisposeAsync();
        }
    }

    private static async Task<(int Accepted, int Other, List<double> Latencies)> PacedLoadAsync(HttpClient http, int perSecond, int seconds)
    {
        var latencies = new List<double>();
        var (accepted, other) = (0, 0);
        var total = perSecond * seconds;
        var clock = Stopwatch.StartNew();
        var sends = new List<Task>(total);
        for (var i = 0; i < total; i++)
        {
            var due = TimeSpan.FromSeconds((double)i / perSecond);
            var wait = due - clock.Elapsed;
            if (wait > TimeSpan.FromMilliseconds(1)) await Task.Delay(wait);
            var n = i;
            sends.Add(Task.Run(async () =>
            {
                var body = JsonContent.Create(new { topic = $"Why paced topic {n} {perSecond} matters", durationSeconds = 20, preview = true, requireApproval = true });
                using var r = await http.PostAsync("v1/videos", body);
                var ms = (clock.Elapsed - due).TotalMilliseconds;
                lock (latencies) latencies.Add(ms);
                if ((int)r.StatusCode == 202) Interlocked.Increment(ref accepted);
                else Interlocked.Increment(ref other);
            }));
        }
        await Task.WhenAll(sends);
        Console.Error.WriteLine($"  paced {perSecond}/s: {accepted} accepted, {other} other in {clock.Elapsed.TotalSeconds:F1} s");
        return (accepted, other, latencies);
    }

    private static async Task<(int Count, int Errors, List<double> Latencies, double Seconds)> SubmitLoadAsync(HttpClient http, int concurrency, int seconds, string label)
    {
        var latencies = new List<double>();
        var count = 0;
        var errors = 0;
        var clock = Stopwatch.StartNew();
        var deadline = TimeSpan.FromSeconds(seconds);
        var n = 0;
        async Task Worker()
        {
            var mine = new List<double>();
            while (clock.Elapsed < deadline)
            {
                var i = Interlocked.Increment(ref n);
                var body = JsonContent.Create(new { topic = $"Why bench topic {i} matters", durationSeconds = 20, preview = true, requireApproval = true });
                var t0 = Stopwatch.GetTimestamp();
                using var r = await http.PostAsync("v1/videos", body);
                mine.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
                if ((int)r.StatusCode == 202) Interlocked.Increment(ref count);
                else Interlocked.Increment(ref errors);
            }
            lock (latencies) latencies.AddRange(mine);
        }
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(Worker)));
        Console.Error.WriteLine($"  {label}: {count} accepted, {errors} other in {clock.Elapsed.TotalSeconds:F1} s");
        return (count, errors, latencies, clock.Elapsed.TotalSeconds);
    }
}
