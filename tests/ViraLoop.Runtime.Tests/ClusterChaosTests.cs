using System.Collections.Concurrent;
using System.Text.Json;
using Npgsql;
using ViraLoop.Runtime.Hosting;
using ViraLoop.Runtime.PostgreSql;
using ViraLoop.Runtime.RabbitMQ;
using ViraLoop.Runtime.Tests.Infrastructure;
using ViraLoop.Runtime.TestGrains;
using Xunit;
using Xunit.Abstractions;

namespace ViraLoop.Runtime.Tests;

[CollectionDefinition("silo processes", DisableParallelization = true)]
public sealed class SiloProcessesCollection;

/// <summary>Several silo processes against real RabbitMQ and PostgreSQL; silos are killed, paused and restarted.</summary>
[Collection("silo processes")]
public sealed class ClusterChaosTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _prefix = Servers.UniquePrefix();
    private readonly List<SiloProcess> _processes = new();
    private string _db = "";
    private Silo? _client;

    public async Task InitializeAsync()
    {
        _db = await Servers.CreateDatabaseAsync();
        _client = new SiloBuilder()
            .Configure(o => o.SiloId = "client-" + _prefix)
            .UseRabbitMq(Servers.RabbitMq, o => { o.ExchangePrefix = _prefix; o.Partitions = 4; o.Heartbeat = TimeSpan.FromSeconds(1); })
            .UsePostgres(_db)
            .Build();
        await _client.StartAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var p in _processes)
        {
            output.WriteLine($"--- {p.SiloId} ---\n{p.Output}");
            await p.DisposeAsync();
        }
        if (_client is not null) await _client.DisposeAsync();
    }

    private IGrainFactory Client => _client!.GrainFactory;

    private async Task<SiloProcess> StartSiloAsync(string id, string roles = "", int heartbeatMs = 1000)
    {
        var p = new SiloProcess(id,
        [
            "--rabbit", Servers.RabbitMq, "--pg", _db, "--prefix", _prefix, "--partitions", "4",
            "--heartbeat-ms", heartbeatMs.ToString(System.Globalization.CultureInfo.InvariantCulture), "--roles", roles,
        ]);
        _processes.Add(p);
        await p.WaitReadyAsync();
        return p;
    }

    /// <summary>Sends seq 1..perKey to each key, keys in parallel, each key in order; calls <paramref name="onSent"/> after each send.</summary>
    private async Task SendAsync(int keys, int perKey, Action<int> onSent)
    {
        int sent = 0;
        await Task.WhenAll(Enumerable.Range(0, keys).Select(async k =>
        {
            var g = Client.GetGrain<ICounterGrain>($"k{k}");
            for (int seq = 1; seq <= perKey; seq++)
            {
                await g.Add(seq, seq, perKey);
                onSent(Interlocked.Increment(ref sent));
            }
        }));
    }

    private async Task AssertAllCountersAsync(int keys, int perKey)
    {
        long expected = (long)perKey * (perKey + 1) / 2;
        for (int k = 0; k < keys; k++)
        {
            var s = await Client.GetGrain<ICounterGrain>($"k{k}").Get();
            Assert.True(s.Sum == expected && s.LastSeq == perKey && s.OrderViolations == 0,
                $"k{k}: sum {s.Sum} (want {expected}), last {s.LastSeq}, order violations {s.OrderViolations}, duplicates {s.Duplicates}");
        }
    }

    private async Task<Collector<CounterDone>> SubscribeDoneAsync(int keys)
    {
        var done = new Collector<CounterDone>(items => items.Select(i => i.Key).Distinct().Count() >= keys);
        await _client!.Streams.GetStream<CounterDone>("counters", "done").SubscribeAsync(done.OnNext);
        return done;
    }

    [Fact]
    public async Task KillMinus9_OfPartitionOwner_LosesNothing_KeepsPerKeyOrder()
    {
        var silos = new[] { await StartSiloAsync("s1"), await StartSiloAsync("s2"), await StartSiloAsync("s3") };
        var done = await SubscribeDoneAsync(100);
        var ownerId = await Client.GetGrain<ICounterGrain>("k0").WhereAmI();
        var owner = silos.Single(s => s.SiloId == ownerId);
        var killed = 0;
        await SendAsync(100, 100, n =>
        {
            if (n == 3000 && Interlocked.Exchange(ref killed, 1) == 0) owner.Kill();
        });
        Assert.Equal(1, killed);
        await Wait.ForAsync(done.Done, "all 100 counters to apply their last message", 120);
        await AssertAllCountersAsync(100, 100);
        var newOwner = await Client.GetGrain<ICounterGrain>("k0").WhereAmI();
        Assert.NotEqual(ownerId, newOwner);
        output.WriteLine($"killed {ownerId}; k0 now on {newOwner}");
    }

    [Fact]
    public async Task SigStopThenSigCont_StaleWritesAreRejected_StateNeverRegresses()
    {
        var silos = new[] { await StartSiloAsync("p1"), await StartSiloAsync("p2"), await StartSiloAsync("p3") };
        var done = await SubscribeDoneAsync(50);
        var ownerId = await Client.GetGrain<ICounterGrain>("k0").WhereAmI();
        var owner = silos.Single(s => s.SiloId == ownerId);

        // Watch the stored rows: no (version, lastSeq) of any grain may ever go backwards.
        using var watching = new CancellationTokenSource();
        var regressions = new ConcurrentBag<string>();
        var watcher = WatchForRegressionsAsync(regressions, watching.Token);

        var paused = 0;
        var sending = SendAsync(50, 120, n =>
        {
            if (n == 1500 && Interlocked.Exchange(ref paused, 1) == 0) owner.Pause();
        });
        await Wait.ForAsync(sending, "all messages to be published", 120);
        // Another silo takes the partitions once the broker misses the paused silo's heartbeats.
        var after = await Wait.ForAsync(Client.GetGrain<ICounterGrain>("k1").WhereAmI(), "a live silo to answer for k1", 60);
        Assert.NotEqual(ownerId, after);
        owner.Resume();
        await Wait.ForAsync(done.Done, "all 50 counters to apply their last message", 120);
        // The paused silo held prefetched deliveries (the broker kept sending until prefetch was full). On resume
        // none of them may be applied: each is dropped as stale (its channel died) or its write is fenced.
        var rejected = await Wait.ForAsync(RejectedWorkAsync(owner), "the resumed silo to reject its stale deliveries", 30);
        watching.Cancel();
        await watcher;
        output.WriteLine($"paused {ownerId}; after resume it reported: {rejected}");
        Assert.Empty(regressions);
        await AssertAllCountersAsync(50, 120);
    }

    private static long Metric(string line, string name) =>
        long.Parse(line.Split(' ').Single(p => p.StartsWith(name + "=", StringComparison.Ordinal))[(name.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The first METRICS line of the process that shows stale or fenced work.</summary>
    private static async Task<string> RejectedWorkAsync(SiloProcess silo)
    {
        while (true)
        {
            var line = await silo.NextMetricsAsync();
            if (Metric(line, "fenced") + Metric(line, "stale") > 0) return line;
        }
    }

    private async Task WatchForRegressionsAsync(ConcurrentBag<string> regressions, CancellationToken ct)
    {
        var seen = new Dictionary<string, (long Version, long LastSeq)>();
        await using var c = new NpgsqlConnection(_db);
        await c.OpenAsync(CancellationToken.None);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                await using var cmd = new NpgsqlCommand("SELECT grain_key, version, data FROM vl_grain_state WHERE grain_type='counter'", c);
                await using var r = await cmd.ExecuteReaderAsync(CancellationToken.None);
                while (await r.ReadAsync(CancellationToken.None))
                {
                    var key = r.GetString(0);
                    var version = r.GetInt64(1);
                    var last = JsonDocument.Parse(r.GetString(2)).RootElement.GetProperty("lastSeq").GetInt64();
                    if (seen.TryGetValue(key, out var prev) && (version < prev.Version || last < prev.LastSeq))
                        regressions.Add($"{key}: ({prev.Version},{prev.LastSeq}) -> ({version},{last})");
                    seen[key] = (version, last);
                }
            }
        }
        catch (OperationCanceledException) { }
    }

    [Fact]
    public async Task GpuRoleGrain_ActivatesOnlyOnTheGpuSilo()
    {
        await StartSiloAsync("cpu-1");
        await StartSiloAsync("cpu-2");
        await StartSiloAsync("gpu-1", roles: "gpu");
        var where = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Client.GetGrain<IGpuProbeGrain>($"job-{i}").WhereAmI()));
        Assert.All(where, w => Assert.Equal("gpu-1", w));
        var counters = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Client.GetGrain<ICounterGrain>($"c-{i}").WhereAmI()));
        Assert.All(counters, w => Assert.StartsWith("cpu-", w)); // cpu-1 started first and owns the counter partitions
    }

    [Fact]
    public async Task StreamEvent_PublishedOnOneSilo_ReachesSubscriberOnAnother()
    {
        await StartSiloAsync("pub-1");
        var got = new Collector<Tick>(items => items.Count >= 50);
        await using var sub = await _client!.Streams.GetStream<Tick>("events", "cross").SubscribeAsync(got.OnNext);
        await Client.GetGrain<ITickerGrain>("publisher").Publish("cross", 50);
        await Wait.ForAsync(got.Done, "50 events from the other silo");
        Assert.Equal(Enumerable.Range(1, 50), got.Items.Select(t => t.Number));
        Assert.All(got.Items, t => Assert.Equal("pub-1", t.Kind)); // the publishing silo's id
    }

    [Fact]
    public async Task FullClusterRestart_KeepsState_AndMembershipSeesDeadAndStoppedSilos()
    {
        var first = new[] { await StartSiloAsync("r1"), await StartSiloAsync("r2"), await StartSiloAsync("r3") };
        for (int k = 0; k < 10; k++) await Client.GetGrain<ICounterGrain>($"keep-{k}").Increment(k + 1);
        first[2].Kill();
        await Wait.UntilAsync(async () => (await _client!.GetSilosAsync()).Any(s => s.SiloId == "r3" && s.Status == SiloStatus.Dead),
            "membership to report the killed silo dead", TimeSpan.FromMilliseconds(250), 30);
        await first[0].TerminateAsync();
        await first[1].TerminateAsync();
        var silos = await _client!.GetSilosAsync();
        Assert.Equal(SiloStatus.ShutDown, silos.Single(s => s.SiloId == "r1").Status);

        await StartSiloAsync("r4");
        await StartSiloAsync("r5");
        for (int k = 0; k < 10; k++)
            Assert.Equal(k + 1 + 100, await Client.GetGrain<ICounterGrain>($"keep-{k}").Increment(100));
    }
}
