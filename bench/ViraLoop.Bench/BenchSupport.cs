using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Orleans.Configuration;
using ViraLoop.Hosting;

namespace ViraLoop.Bench;

/// <summary>Result of a closed-loop load: calls completed in the measured window, rate, latency percentiles.</summary>
public sealed record LoadResult(long Calls, double Seconds, double P50Ms, double P99Ms)
{
    public double PerSecond => Calls / Seconds;
    public string Line() => string.Create(CultureInfo.InvariantCulture, $"{Calls} {Seconds:F3} {P50Ms:F4} {P99Ms:F4}");
    public static LoadResult Parse(string line)
    {
        var p = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return new(long.Parse(p[0], CultureInfo.InvariantCulture), double.Parse(p[1], CultureInfo.InvariantCulture),
            double.Parse(p[2], CultureInfo.InvariantCulture), double.Parse(p[3], CultureInfo.InvariantCulture));
    }
}

public static class Load
{
    /// <summary>
    /// <paramref name="callers"/> loops, each awaiting <paramref name="call"/>(caller, i) back to back for
    /// <paramref name="warmup"/> + <paramref name="measure"/>; only calls that start and end inside the measured window count.
    /// <paramref name="yieldBetween"/>: each caller yields after a call (needed when the load runs inside a silo).
    /// </summary>
    public static async Task<LoadResult> RunAsync(int callers, TimeSpan warmup, TimeSpan measure, Func<int, long, Task> call, bool yieldBetween)
    {
        var clock = Stopwatch.StartNew();
        long start = (long)(warmup.TotalSeconds * Stopwatch.Frequency), end = start + (long)(measure.TotalSeconds * Stopwatch.Frequency);
        var samples = new List<long>[callers];
        var counts = new long[callers];
        var tasks = new Task[callers];
        for (var c = 0; c < callers; c++)
        {
            var caller = c;
            samples[c] = new List<long>(1 << 16);
            tasks[c] = Task.Run(async () =>
            {
                long i = 0;
                while (true)
                {
                    var t0 = clock.ElapsedTicks;
                    if (t0 >= end) break;
                    await call(caller, i++);
                    var t1 = clock.ElapsedTicks;
                    if (t0 >= start && t1 <= end)
                    {
                        counts[caller]++;
                        samples[caller].Add(t1 - t0);
                    }
                    if (yieldBetween) await Task.Yield();
                }
            });
        }
        await Task.WhenAll(tasks);
        var all = samples.SelectMany(s => s).ToArray();
        Array.Sort(all);
        double Pct(double p) => all.Length == 0 ? double.NaN : all[Math.Min(all.Length - 1, (int)(p * all.Length))] * 1000.0 / Stopwatch.Frequency;
        return new LoadResult(counts.Sum(), measure.TotalSeconds, Pct(0.50), Pct(0.99));
    }

    public static double Median(IEnumerable<double> values)
    {
        var v = values.OrderBy(x => x).ToArray();
        return v.Length == 0 ? double.NaN : v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
    }
}

/// <summary>A child process of this same dll (a silo, or an in-process benchmark), read line by line from stdout.</summary>
public sealed class Child : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = new();
    private readonly TaskCompletionSource<string> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<string> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Child(string name, IEnumerable<string> args, IReadOnlyDictionary<string, string>? env = null)
    {
        Name = name;
        var psi = new ProcessStartInfo(Environment.ProcessPath ?? "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(typeof(Child).Assembly.Location);
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (env is not null) foreach (var (k, v) in env) psi.Environment[k] = v;
        Clock = Stopwatch.StartNew();
        _process = Process.Start(psi) ?? throw new InvalidOperationException("could not start " + name);
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (_output) _output.Add(e.Data);
            if (e.Data.StartsWith("READY", StringComparison.Ordinal)) { ReadyAfter ??= Clock.Elapsed; _ready.TrySetResult(e.Data); }
            else if (e.Data.StartsWith("RESULT ", StringComparison.Ordinal)) _result.TrySetResult(e.Data["RESULT ".Length..]);
        };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.Add("ERR " + e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Name { get; }
    public Stopwatch Clock { get; }
    public int Pid => _process.Id;

    /// <summary>CPU seconds the process has used so far (user + system), 0 once it is gone.</summary>
    public double CpuSeconds
    {
        get
        {
            try { _process.Refresh(); return _process.TotalProcessorTime.TotalSeconds; }
            catch (InvalidOperationException) { return 0; }
        }
    }
    public TimeSpan? ReadyAfter { get; private set; }
    public DateTime ReadyUtc { get; private set; }
    public bool HasExited => _process.HasExited;

    public string Output { get { lock (_output) return string.Join('\n', _output.TakeLast(40)); } }

    public async Task<TimeSpan> WaitReadyAsync(int seconds = 90)
    {
        var first = await Task.WhenAny(_ready.Task, _process.WaitForExitAsync()).WaitAsync(TimeSpan.FromSeconds(seconds));
        if (first != _ready.Task) throw new InvalidOperationException($"{Name} exited before READY:\n{Output}");
        ReadyUtc = DateTime.UtcNow;
        return ReadyAfter!.Value;
    }

    public async Task<string> WaitResultAsync(int seconds = 300)
    {
        var first = await Task.WhenAny(_result.Task, _process.WaitForExitAsync()).WaitAsync(TimeSpan.FromSeconds(seconds));
        if (first != _result.Task) throw new InvalidOperationException($"{Name} exited without a RESULT:\n{Output}");
        return _result.Task.Result;
    }

    /// <summary>SIGKILL.</summary>
    public void Kill() { try { _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { } }

    public async ValueTask DisposeAsync()
    {
        Kill();
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}

/// <summary>PostgreSQL/RabbitMQ from the environment (scripts/bench.sh or /tmp/vl-servers.env) and the silo configurations.</summary>
public static class BenchEnv
{
    public static string Postgres => Environment.GetEnvironmentVariable("VIRALOOP_POSTGRES")
        ?? throw new InvalidOperationException("VIRALOOP_POSTGRES is not set (run with scripts/bench.sh orleans, which starts PostgreSQL and RabbitMQ)");

    public static string RabbitMq => Environment.GetEnvironmentVariable("VIRALOOP_RABBITMQ")
        ?? throw new InvalidOperationException("VIRALOOP_RABBITMQ is not set (run with scripts/bench.sh orleans)");

    /// <summary>A fresh database with ViraLoop's schema.</summary>
    public static async Task<string> CreateDatabaseAsync()
    {
        var name = $"vlbench_{Guid.NewGuid():N}"[..24];
        await using (var c = new NpgsqlConnection(Postgres))
        {
            await c.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE {name}", c);
            await cmd.ExecuteNonQueryAsync();
        }
        var cs = new NpgsqlConnectionStringBuilder(Postgres) { Database = name }.ToString();
        await ViraLoop.Providers.PostgreSql.PostgresSchema.MigrateAsync(cs);
        return cs;
    }

    /// <summary>Our cluster configuration for one benchmark cluster (own cluster id and stream queue prefix).</summary>
    public static ViraLoopOptions ClusterOptions(string postgres, string clusterId) => new()
    {
        Mode = "cluster",
        Postgres = postgres,
        RabbitMq = RabbitMq,
        ClusterId = clusterId,
        ServiceId = clusterId,
        StreamQueuePrefix = clusterId,
        AdvertisedAddress = "127.0.0.1",
        ProbeTimeoutSeconds = 1, // loopback: the failover figure is measured with 1 s × 2 missed probes
        MissedProbesLimit = 2,
        IAmAliveSeconds = 5,
    };

    public static Dictionary<string, string> SiloEnv(ViraLoopOptions o, string siloId)
    {
        var env = o.ToEnvironment();
        env["ViraLoop__SiloId"] = siloId;
        env["ViraLoop__SiloPort"] = SiloHosting.FreePort().ToString(CultureInfo.InvariantCulture);
        env["ViraLoop__GatewayPort"] = SiloHosting.FreePort().ToString(CultureInfo.InvariantCulture);
        return env;
    }

    public static Child StartViraLoopSilo(ViraLoopOptions o, string siloId, string? streamQueueType = null)
    {
        var env = SiloEnv(o, siloId);
        if (streamQueueType is not null) env["BENCH_STREAM_QUEUE_TYPE"] = streamQueueType;
        return new(siloId, ["silo", "--kind", "viraloop"], env);
    }

    public static Child StartBareSilo(string name, int siloPort, int gatewayPort, int? primaryPort) =>
        new(name, ["silo", "--kind", "bare", "--name", name, "--silo-port", $"{siloPort}", "--gateway-port", $"{gatewayPort}",
            "--primary-port", primaryPort is int p ? $"{p}" : "0"]);

    public static async Task<IHost> ConnectViraLoopAsync(ViraLoopOptions o)
    {
        var b = Host.CreateApplicationBuilder();
        b.Logging.ClearProviders();
        b.UseOrleansClient(c => c.UseViraLoop(o));
        var host = b.Build();
        await host.StartAsync();
        return host;
    }

    public static async Task<IHost> ConnectBareAsync(int[] gatewayPorts)
    {
        var b = Host.CreateApplicationBuilder();
        b.Logging.ClearProviders();
        b.UseOrleansClient(c => c.UseLocalhostClustering(gatewayPorts));
        var host = b.Build();
        await host.StartAsync();
        return host;
    }

    public static async Task StopAsync(IHost host)
    {
        try { await host.StopAsync(TimeSpan.FromSeconds(10)); } catch (Exception) { }
        host.Dispose();
    }

    public static string Ms(double ms) => ms.ToString(ms < 1 ? "F3" : ms < 100 ? "F2" : "F0", CultureInfo.InvariantCulture) + " ms";
    public static string N(double v) => v.ToString("N0", CultureInfo.InvariantCulture);
    public static string S(double v) => v.ToString("F2", CultureInfo.InvariantCulture);
}

/// <summary>The silo process the benchmarks start: <c>silo --kind bare|viraloop</c>. Prints READY when started.</summary>
public static class BenchSilo
{
    public static async Task RunAsync(string[] args)
    {
        string Arg(string name, string dflt) { var i = Array.IndexOf(args, name); return i >= 0 && i + 1 < args.Length ? args[i + 1] : dflt; }
        var kind = Arg("--kind", "viraloop");
        if (kind == "api")
        {
            // The silo host as src/Silo/ViraLoop.Silo builds it: an Orleans silo with the HTTP API and the hub.
            var web = Microsoft.AspNetCore.Builder.WebApplication.CreateBuilder([]);
            web.Logging.ClearProviders().AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Error);
            var o = web.AddViraLoopSilo();
            Microsoft.Extensions.DependencyInjection.Extensions.ServiceCollectionDescriptorExtensions.TryAddSingleton(web.Services, o);
            ViraLoop.Api.ApiHosting.AddViraLoopApi(web.Services);
            var app = web.Build();
            ViraLoop.Api.ApiHosting.MapViraLoopApi(app);
            app.MapViraLoopSiloEndpoints();
            app.Lifetime.ApplicationStarted.Register(() => Console.WriteLine($"READY {o.SiloId}"));
            await app.RunAsync();
            return;
        }
        var builder = Host.CreateApplicationBuilder([]);
        builder.Logging.ClearProviders().AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Error);
        string name;
        if (kind == "bare")
        {
            name = Arg("--name", "bare");
            var siloPort = int.Parse(Arg("--silo-port", "0"), CultureInfo.InvariantCulture);
            var gatewayPort = int.Parse(Arg("--gateway-port", "0"), CultureInfo.InvariantCulture);
            var primary = int.Parse(Arg("--primary-port", "0"), CultureInfo.InvariantCulture);
            builder.UseOrleans(s =>
            {
                s.UseLocalhostClustering(siloPort, gatewayPort, primary == 0 ? null : new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, primary));
                s.Configure<SiloOptions>(o => o.SiloName = name);
            });
        }
        else
        {
            var options = ViraLoopOptions.From(builder.Configuration);
            name = options.SiloId ?? "viraloop";
            var queueType = Environment.GetEnvironmentVariable("BENCH_STREAM_QUEUE_TYPE");
            builder.UseOrleans(s =>
            {
                s.UseViraLoop(options);
                // Diagnostic variant only (streams benchmark): another RabbitMQ queue type than UseViraLoop's default.
                if (queueType is { Length: > 0 })
                    s.Services.Configure<ViraLoop.Streams.RabbitMQ.RabbitMqStreamOptions>(ProviderNames.Streams,
                        o => o.QueueType = Enum.Parse<ViraLoop.Streams.RabbitMQ.RabbitMqQueueType>(queueType));
            });
        }
        var host = builder.Build();
        host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStarted.Register(() => Console.WriteLine($"READY {name}"));
        await host.RunAsync();
    }
}
