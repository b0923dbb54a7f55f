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

    private async Task<SiloProcess> StartSiloAsync(string id, string roles = "", int heartbeatMs = 1000, bool rebalance = true)
    {
        var p = new SiloProcess(id,
        [
            "--rabbit", Servers.RabbitMq, "--pg", _db, "--prefix", _prefix, "--partitions", "4",
            "--heartbeat-ms", heartbeatMs.ToString(System.Globalization.CultureInfo.InvariantCulture), "--roles", roles,
            "--rebalance", rebalance ? "true" : "false",
        ]);
        _processes.Add(p);
        await p.WaitReadyAsync();
        return p;
    }

    /// <summary>Sends seq from..to (of <paramref name="perKey"/>) to each key, keys in parallel, each key in order.</summary>
    private async Task SendAsync(int keys, int from, int to, int perKey)
    {
        await Task.WhenAll(Enumerable.Range(0, keys).Select(async k =>
        {
            var g = Client.GetGrain<ICounterGrain>($"k{k}");
            for (int seq = from; seq <= to; seq++) await g.Add(seq, seq, perKey);
        }));
    }

    /// <summary>The process of the silo that serves <paramref name="key"/> right now.</summary>
    private async Task<SiloProcess> OwnerOfAsync(SiloProcess[] silos, string key)
    {
        var id = await Wait.ForAsync(Client.GetGrain<ICounterGrain>(key).WhereAmI(), $"the owner of {key} to answer");
        return silos.Single(s => s.SiloId == id);
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
        await SendAsync(100, 1, 30, 100); // 3,000 of 10,000 accepted by the broker, many still queued or in flight
        var owner = await OwnerOfAsync(silos, "k0");
        owner.Kill();
        await SendAsync(100, 31, 100, 100);
        await Wait.ForAsync(done.Done, "all 100 counters to apply their last message", 120);
        await AssertAllCountersAsync(100, 100);
        var newOwner = await Client.GetGrain<ICounterGrain>("k0").WhereAmI();
        Assert.NotEqual(owner.SiloId, newOwner);
        output.WriteLine($"killed {owner.SiloId}; k0 now on {newOwner}");
    }

    [Fact]
    public async Task SigStopThenSigCont_StateNeverRegresses_AndEveryMessageIsAppliedOnce()
    {
        // Without rebalancing, so the silo paused below is sure to be the active consumer of every partition it had.
        var silos = new[] { await StartSiloAsync("p1", rebalance: false), await StartSiloAsync("p2", rebalance: false), await StartSiloAsync("p3", rebalance: false) };
        var done = await SubscribeDoneAsync(50);

        // Watch the stored rows: no (version, lastSeq) of any grain may ever go backwards.
        using var watching = new CancellationTokenSource();
        var regressions = new ConcurrentBag<string>();
        var watcher = WatchForRegressionsAsync(regressions, watching.Token);

        await SendAsync(50, 1, 30, 120);
        var owner = await OwnerOfAsync(silos, "k0");
        owner.Pause();
        await Wait.ForAsync(SendAsync(50, 31, 120, 120), "the rest of the messages to be published", 120);
        // Another silo takes k0's partition once the broker misses the paused silo's heartbeats.
        var after = await Wait.ForAsync(Client.GetGrain<ICounterGrain>("k0").WhereAmI(), "a live silo to answer for k0", 60);
        Assert.NotEqual(owner.SiloId, after);
        owner.Resume();
        await Wait.ForAsync(done.Done, "all 50 counters to apply their last message", 120);
        // What the resumed silo did with the deliveries it held depends on when its client notices the dead
        // connection: dropped as stale, fenced, or applied where no newer write exists (then deduplicated at the
        // new owner). None of it may move state back, and every message is applied exactly once in the end.
        var metrics = await Wait.ForAsync(owner.NextMetricsAsync(), "the resumed silo to report", 30);
        watching.Cancel();
        await watcher;
        output.WriteLine($"paused {owner.SiloId}; after resume it reported: {metrics}");
        Assert.Empty(regressions);
        await AssertAllCountersAsync(50, 120);
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
    }

    [Fact]
    public async Task JoiningSilos_TakeTheirShareOfPartitions_WithoutLosingMessages()
    {
        var first = await StartSiloAsync("j1");
        var keys = Enumerable.Range(0, 24).Select(i => Client.GetGrain<ICounterGrain>($"share-{i}")).ToList();
        async Task<HashSet<string>> RoundAsync()
        {
            foreach (var g in keys) await g.Increment(1);
            return (await Task.WhenAll(keys.Select(g => g.WhereAmI()))).ToHashSet();
        }
        Assert.Equal(["j1"], await RoundAsync());
        int rounds = 1;
        await StartSiloAsync("j2");
        await StartSiloAsync("j3");
        // Keep the partitions busy while the newcomers register; rendezvous hashing gives each its share.
        var spread = new HashSet<string>();
        await Wait.UntilAsync(async () =>
        {
            spread = await RoundAsync();
            rounds++;
            return spread.Count >= 2;
        }, "the joining silos to take over partitions", TimeSpan.FromMilliseconds(100), 60);
        output.WriteLine($"after {rounds} rounds keys are served by {string.Join(", ", spread)}");
        foreach (var g in keys) Assert.Equal(rounds + 1, await g.Increment(1)); // every increment of every round applied exactly once
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
