using Microsoft.Extensions.DependencyInjection;
using ViraLoop.Runtime.Hosting;
using ViraLoop.Runtime.Tests.Infrastructure;
using ViraLoop.Runtime.TestGrains;
using Xunit;

namespace ViraLoop.Runtime.Tests;

/// <summary>
/// The grain semantics every mode must give. Each test runs once embedded (in-process, SQLite) and once
/// in cluster mode (RabbitMQ + PostgreSQL, two silos and a separate client).
/// </summary>
public abstract class GrainRuntimeContractTests : IAsyncLifetime
{
    private readonly List<TestCluster> _clusters = new();

    protected RecordingFilter Filter { get; } = new();

    /// <summary>Applies this mode's transport and store to a builder; all silos of one test share the store.</summary>
    protected abstract void UseMode(SiloBuilder builder, bool sharedTransport);

    /// <summary>How many grain-hosting silos this mode runs.</summary>
    protected abstract int SiloCount { get; }

    /// <summary>True when a separate client silo exists (cluster); embedded callers use the silo itself.</summary>
    protected abstract bool SeparateClient { get; }

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var c in _clusters) await c.DisposeAsync();
    }

    protected Silo BuildSilo(LifecycleLog log, Action<SiloOptions>? configure, bool hostsGrains = true, bool sharedTransport = true)
    {
        var b = new SiloBuilder().Configure(o =>
        {
            o.HeartbeatInterval = TimeSpan.FromSeconds(1);
            o.ReminderPollInterval = TimeSpan.FromMilliseconds(100);
            o.MinimumReminderPeriod = TimeSpan.FromMilliseconds(100);
            configure?.Invoke(o);
        });
        if (hostsGrains) b.AddGrainsFromAssembly(typeof(CounterGrain).Assembly);
        UseMode(b, sharedTransport);
        return b.Build(new ServiceCollection().AddLogging().AddSingleton(log).AddSingleton<IIncomingGrainCallFilter>(Filter)
            .AddSingleton<IStateMigration<ProfileState>, ProfileStateV1ToV2>().BuildServiceProvider());
    }

    protected async Task<TestCluster> StartAsync(Action<SiloOptions>? configure = null)
    {
        var log = new LifecycleLog();
        var silos = new List<Silo>();
        for (int i = 0; i < SiloCount; i++)
        {
            var s = BuildSilo(log, configure);
            await s.StartAsync();
            silos.Add(s);
        }
        Silo client = silos[0];
        if (SeparateClient)
        {
            client = BuildSilo(log, configure, hostsGrains: false);
            await client.StartAsync();
        }
        var cluster = new TestCluster(silos, client, log);
        _clusters.Add(cluster);
        return cluster;
    }

    protected async Task StopAsync(TestCluster cluster)
    {
        _clusters.Remove(cluster);
        await cluster.DisposeAsync();
    }

    private static string Key() => Guid.NewGuid().ToString("N")[..10];

    [Fact]
    public async Task Request_ReturnsResult_AndStateIsPersisted()
    {
        var c = await StartAsync();
        var key = Key();
        var g = c.Client.GetGrain<ICounterGrain>(key);
        Assert.Equal(2, await g.Increment(2));
        Assert.Equal(5, await g.Increment(3));
        var snap = await g.Get();
        Assert.Equal(5, snap.Sum);
        Assert.Equal("2", snap.Etag);
        Assert.Contains(c.Silos, s => s.SiloId == snap.SiloId);
    }

    [Fact]
    public async Task OneWay_ManyMessages_AppliedOnceInOrder()
    {
        var c = await StartAsync();
        var key = Key();
        var done = new Collector<CounterDone>(items => items.Any(i => i.Key == key));
        await using var sub = await c.Streams.GetStream<CounterDone>("counters", "done").SubscribeAsync(done.OnNext);
        var g = c.Client.GetGrain<ICounterGrain>(key);
        for (int seq = 1; seq <= 200; seq++) await g.Add(seq, seq, 200);
        await Wait.ForAsync(done.Done, "the counter's last message");
        var snap = await g.Get();
        Assert.Equal(200 * 201 / 2, snap.Sum);
        Assert.Equal(200, snap.LastSeq);
        Assert.Equal(0, snap.OrderViolations);
    }

    [Fact]
    public async Task Turns_OfOneActivation_NeverInterleave()
    {
        var c = await StartAsync();
        var g = c.Client.GetGrain<ICounterGrain>(Key());
        var results = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => g.MaxConcurrency(40)));
        Assert.All(results, r => Assert.Equal(1, r));
    }

    [Fact]
    public async Task HandlerException_ReachesCaller_AndGrainKeepsWorking()
    {
        var c = await StartAsync();
        var g = c.Client.GetGrain<ICounterGrain>(Key());
        var e = await Assert.ThrowsAsync<GrainCallException>(() => g.Fail("boom 42"));
        Assert.Contains("InvalidOperationException", e.RemoteExceptionType);
        Assert.Equal("boom 42", e.RemoteMessage);
        Assert.Equal(1, await g.Increment(1));
    }

    [Fact]
    public async Task PoisonOneWayMessage_IsDeadLettered_AndGrainKeepsFlowing()
    {
        var c = await StartAsync(o => o.MaxAttempts = 3);
        var key = Key();
        var g = c.Client.GetGrain<ICounterGrain>(key);
        await g.FailOneWay("poison pill");
        Assert.Equal(7, await g.Increment(7)); // queued behind the poison message on the same grain
        var letters = await c.Silos[0].Store.ListAsync(100);
        var letter = Assert.Single(letters, l => l.GrainKey == key);
        Assert.Equal("FailOneWay", letter.Method);
        Assert.Equal(3, letter.Attempts);
        Assert.Contains("poison pill", letter.Reason);
    }

    [Fact]
    public async Task UnserialisableArgument_FailsAtCaller_AndNothingIsSent()
    {
        var c = await StartAsync();
        var g = c.Client.GetGrain<ICounterGrain>(Key());
        var cyclic = new List<object>();
        cyclic.Add(cyclic);
        var e = await Assert.ThrowsAsync<GrainSerializationException>(() => g.Echo(new Payload("x", cyclic)));
        Assert.Contains("Echo", e.Message);
        Assert.Equal("fine", await g.Echo(new Payload("fine", null)));
        Assert.Equal(0, c.Silos.Sum(s => s.Metrics.DeadLettered));
    }

    [Fact]
    public void UnknownGrainInterface_GivesClearError()
    {
        var silo = BuildSilo(new LifecycleLog(), null);
        var e = Assert.Throws<UnknownGrainTypeException>(() => silo.GrainFactory.GetGrain<INotAGrain>("k"));
        Assert.Contains("[GrainType", e.Message);
    }

    [Fact]
    public async Task CallCycle_BetweenNonReentrantGrains_TimesOutInsteadOfHanging()
    {
        var c = await StartAsync(o => o.CallTimeout = TimeSpan.FromSeconds(1));
        var a = c.Client.GetGrain<ICounterGrain>("cycle-a-" + Key());
        var started = DateTime.UtcNow;
        await Assert.ThrowsAnyAsync<GrainRuntimeException>(() => a.CallOther("cycle-b-" + Key(), 2));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task Timer_TicksAreTurns_PublishedOnStream()
    {
        var c = await StartAsync();
        var key = Key();
        var ticks = new Collector<Tick>(items => items.Count >= 3);
        await using var sub = await c.Streams.GetStream<Tick>("ticks", key).SubscribeAsync(ticks.OnNext);
        await c.Client.GetGrain<ITickerGrain>(key).StartTimer(TimeSpan.FromMilliseconds(50));
        await Wait.ForAsync(ticks.Done, "three timer ticks");
        Assert.Equal([1, 2, 3], ticks.Items.Take(3).Select(t => t.Number));
        Assert.All(ticks.Items, t => Assert.Equal("timer", t.Kind));
    }

    [Fact]
    public async Task Reminder_SurvivesSiloRestart()
    {
        var key = Key();
        var c = await StartAsync();
        var first = new Collector<Tick>(items => items.Count >= 1);
        var sub = await c.Streams.GetStream<Tick>("ticks", key).SubscribeAsync(first.OnNext);
        await c.Client.GetGrain<ITickerGrain>(key).StartReminder(TimeSpan.FromMilliseconds(200));
        await Wait.ForAsync(first.Done, "the first reminder tick");
        await sub.DisposeAsync();
        await StopAsync(c);

        var c2 = await StartAsync();
        var later = new Collector<Tick>(items => items.Count >= 2);
        await using var sub2 = await c2.Streams.GetStream<Tick>("ticks", key).SubscribeAsync(later.OnNext);
        await Wait.ForAsync(later.Done, "reminder ticks after the restart");
        Assert.True(later.Items[^1].Number > first.Items[0].Number, "the tick count is durable state and keeps growing");
        await c2.Client.GetGrain<ITickerGrain>(key).StopReminder();
    }

    [Fact]
    public async Task IdleActivation_IsCollected_AndReactivatedByNextMessage()
    {
        var c = await StartAsync(o =>
        {
            o.CollectionAge = TimeSpan.FromMilliseconds(300);
            o.CollectionQuantum = TimeSpan.FromMilliseconds(100);
        });
        var key = Key();
        var deactivated = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var activations = 0;
        var second = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        c.Log.Recorded += e =>
        {
            if (e == $"deactivate:{key}:IdleCollection") deactivated.TrySetResult();
            if (e == $"activate:{key}" && Interlocked.Increment(ref activations) == 2) second.TrySetResult();
        };
        var g = c.Client.GetGrain<ITickerGrain>(key);
        await g.Ping();
        await Wait.ForAsync(deactivated.Task, "idle collection of the activation");
        await g.Ping();
        await Wait.ForAsync(second.Task, "a new activation on the next message");
    }

    [Fact]
    public async Task Stream_DeliversEventsInPublishOrder()
    {
        var c = await StartAsync();
        var key = Key();
        var got = new Collector<Tick>(items => items.Count >= 100);
        await using var sub = await c.Streams.GetStream<Tick>("events", key).SubscribeAsync(got.OnNext);
        await c.Client.GetGrain<ITickerGrain>(key).Publish(key, 100);
        await Wait.ForAsync(got.Done, "100 stream events");
        Assert.Equal(Enumerable.Range(1, 100), got.Items.Select(t => t.Number));
    }

    [Fact]
    public async Task Membership_ListsSilos_AndMarksStoppedOnes()
    {
        var c = await StartAsync();
        var silos = await c.ClientSilo.GetSilosAsync();
        foreach (var s in c.Silos) Assert.Equal(SiloStatus.Active, Assert.Single(silos, x => x.SiloId == s.SiloId).Status);
        var store = c.Silos[0].Store;
        var ids = c.Silos.Select(s => s.SiloId).ToList();
        await StopAsync(c);
        var after = await store.ListAsync(DateTimeOffset.UtcNow, TimeSpan.FromSeconds(3));
        foreach (var id in ids) Assert.Equal(SiloStatus.ShutDown, Assert.Single(after, x => x.SiloId == id).Status);
    }

    [Fact]
    public async Task GracefulStop_DrainsInFlightTurns_NothingLost()
    {
        var key = Key();
        var c = await StartAsync();
        var g = c.Client.GetGrain<ICounterGrain>(key);
        for (int seq = 1; seq <= 300; seq++) await g.Add(seq, 1, 300);
        await StopAsync(c); // some of the 300 are still queued or running here

        var c2 = await StartAsync();
        var done = new Collector<CounterDone>(items => items.Any(i => i.Key == key));
        await using var sub = await c2.Streams.GetStream<CounterDone>("counters", "done").SubscribeAsync(done.OnNext);
        var snap = await c2.Client.GetGrain<ICounterGrain>(key).Get();
        if (snap.LastSeq < 300) await Wait.ForAsync(done.Done, "the rest of the messages after restart");
        snap = await c2.Client.GetGrain<ICounterGrain>(key).Get();
        Assert.Equal(300, snap.Sum);
        Assert.Equal(300, snap.LastSeq);
        Assert.Equal(0, snap.OrderViolations);
    }

    [Fact]
    public async Task Fencing_StaleActivationWrite_IsRejected_AndStateNeverRegresses()
    {
        // Two silos over the same store, each with its own in-process transport, both activate one grain:
        // the state a "hung" activation holds is older than what the other one wrote.
        var log = new LifecycleLog();
        var a = BuildSilo(log, null, sharedTransport: false);
        var b = BuildSilo(log, null, sharedTransport: false);
        await a.StartAsync();
        await b.StartAsync();
        try
        {
            var key = Key();
            Assert.Equal(1, await a.GrainFactory.GetGrain<ICounterGrain>(key).Increment(1));
            for (int i = 0; i < 5; i++) await b.GrainFactory.GetGrain<ICounterGrain>(key).Increment(1);
            // a's activation still holds Sum=1 at ETag 1; its write is fenced, it reloads (Sum=6) and retries.
            Assert.Equal(7, await a.GrainFactory.GetGrain<ICounterGrain>(key).Increment(1));
            Assert.Equal(1, a.Metrics.FencedWrites);
            Assert.Equal(0, b.Metrics.FencedWrites);
        }
        finally
        {
            await a.DisposeAsync();
            await b.DisposeAsync();
        }
    }

    [Fact]
    public async Task CallFilter_WrapsEveryTurn_AndCanReplaceTheResult()
    {
        var c = await StartAsync();
        var key = Key();
        var g = c.Client.GetGrain<ICounterGrain>(key);
        Assert.Equal("plain", await g.Echo(new Payload("plain", null)));
        Assert.Equal("filtered", await g.Echo(new Payload("filter-me", null)));
        Assert.Equal(2, Filter.Calls.Count(x => x.Grain.Key == key && x.Method == "Echo"));
    }

    [Fact]
    public async Task Tracing_EachTurnIsAChildOfTheCallersActivity()
    {
        var c = await StartAsync();
        var turns = new System.Collections.Concurrent.ConcurrentQueue<System.Diagnostics.Activity>();
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = s => s.Name is "ViraLoop.Runtime" or "test-caller",
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => { if (a.Source.Name == "ViraLoop.Runtime") turns.Enqueue(a); },
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);
        using var source = new System.Diagnostics.ActivitySource("test-caller");
        System.Diagnostics.ActivityTraceId traceId;
        System.Diagnostics.ActivitySpanId parentSpan;
        using (var parent = source.StartActivity("caller")!)
        {
            traceId = parent.TraceId;
            parentSpan = parent.SpanId;
            await c.Client.GetGrain<ICounterGrain>(Key()).Increment(1);
        }
        var turn = Assert.Single(turns, a => a.TraceId == traceId);
        Assert.Equal("grain counter.Increment", turn.DisplayName);
        Assert.Equal(parentSpan, turn.ParentSpanId);
        Assert.Equal(System.Diagnostics.ActivityKind.Server, turn.Kind);
    }

    [Fact]
    public async Task VersionedState_OlderStoredState_IsUpgradedOnActivation_AndWrittenBackWithItsVersion()
    {
        var c = await StartAsync();
        var store = c.Silos[0].Store;
        var key = Key();
        await store.WriteAsync(new GrainId("profile", key), "profile", """{"name":"Ada Lovelace"}""", null); // as version 1 wrote it
        var g = c.Client.GetGrain<IProfileGrain>(key);
        Assert.Equal(new Profile("Ada", "Lovelace"), await g.Get());
        await g.Rename("Augusta Ada", "King");
        var stored = await store.ReadAsync(new GrainId("profile", key), "profile");
        Assert.Contains("\"$version\":2", stored.Json);
        Assert.Contains("Augusta Ada", stored.Json);
    }

    [Fact]
    public async Task VersionedState_WrittenByANewerVersion_FailsClearlyInsteadOfLosingFields()
    {
        var c = await StartAsync();
        var key = Key();
        await c.Silos[0].Store.WriteAsync(new GrainId("profile", key), "profile", """{"$version":3,"firstName":"A","lastName":"B","middle":"C"}""", null);
        var e = await Assert.ThrowsAsync<GrainCallException>(() => c.Client.GetGrain<IProfileGrain>(key).Get());
        Assert.Contains("written by version 3", e.RemoteMessage);
    }
}

public interface INotAGrain : IGrain
{
    Task Nothing();
}
