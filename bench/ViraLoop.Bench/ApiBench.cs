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
            ["ViraLoop__PlanVideosPerDay"] = "100000000", ["ViraLoop__PlanRenderedSecondsPerMonth"] = "1000000000000", ["ViraLoop__PlanRequestsPerMinute"] = "100000000",
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
        Console.WriteLine($"### 1. Submissions (POST /v1/videos, API key, {concurrency} concurrent requests, {seconds} s after 5 s uncounted; each job is written and scripted, then waits for approval)");
        Console.WriteLine();
        Console.WriteLine("| accepted (202) | other answers | per minute | p50 | p95 | p99 | max | server CPU s per 1,000 |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- |");
        Console.WriteLine($"| {count:N0} | {errors} | **{count / elapsed * 60:N0}** | {P(0.5):F1} ms | {P(0.95):F1} ms | **{P(0.99):F1} ms** | {latencies[^1]:F1} ms | {cpu / Math.Max(1, count) * 1000:F1} |");
        Console.WriteLine();
        Console.WriteLine("Target: ≥ 10,000 a minute at p99 < 50 ms on 2 cores.");
        Console.WriteLine();

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
        Console.WriteLine($"p50 {D(0.5):F1} ms, p99 **{D(0.99):F1} ms**, max {delays[^1]:F1} ms (target p99 < 100 ms; across silos not measured here).");
        try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
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
