using System.Collections.Concurrent;
using System.Diagnostics;
using Orleans.Runtime;
using Orleans.Streams;
using Orleans.Configuration;
using Orleans.Providers.Streams.Common;
using ViraLoop.Cluster.Tests.Infrastructure;
using ViraLoop.Streams.RabbitMQ;
using ViraLoop.TestGrains;
using Xunit;
using Xunit.Abstractions;

namespace ViraLoop.Cluster.Tests;

/// <summary>
/// Real silo processes (two plain silos and a GPU silo) over real PostgreSQL and RabbitMQ, a client in the test
/// process. Membership: probe timeout 1 s, 2 missed probes; response timeout 5 s (see <see cref="ProcessCluster"/>).
/// </summary>
[Collection("processes")]
public sealed class ClusterChaosTests(ITestOutputHelper output)
{
    /// <summary>
    /// What the membership options promise for new calls to a dead silo's grains to be answered elsewhere: the missed
    /// probes plus one probe period for the vote to spread, plus 2 s of room for a loaded 2-core machine.
    /// </summary>
    private static readonly TimeSpan RecoveryBound = TimeSpan.FromSeconds(ProcessCluster.ProbeTimeoutSeconds * (ProcessCluster.MissedProbes + 1) + 2);

    [Fact]
    public async Task KillMinus9_UnderLoad_EveryAcknowledgedIncrementIsThereOnce()
    {
        await using var cluster = await ProcessCluster.CreateAsync();
        await cluster.StartSiloAsync("silo-1");
        await cluster.StartSiloAsync("silo-2");
        await cluster.StartSiloAsync("gpu-1", gpu: true);
        var client = await cluster.ConnectAsync();

        var keys = Enumerable.Range(0, 100).Select(i => $"k{i}").ToArray();
        var where = await Task.WhenAll(keys.Select(k => client.Grains.GetGrain<ICounterGrain>(k).Silo()));
        var victimName = where.GroupBy(w => w).OrderByDescending(g => g.Count()).First().Key;
        var victim = cluster.Silos.Single(s => s.SiloId == victimName);
        var victimKeys = keys.Where((_, i) => where[i] == victimName).ToArray();
        output.WriteLine($"placement: {string.Join(", ", where.GroupBy(w => w).Select(g => $"{g.Key}={g.Count()}"))}; killing {victimName}");

        var acked = new ConcurrentDictionary<string, long>();
        var failures = new ConcurrentBag<(DateTime started, TimeSpan took, string error)>();
        long ackCount = 0;
        var killedAt = DateTime.MaxValue;
        using var stop = new CancellationTokenSource();
        var workers = Enumerable.Range(0, 20).Select(w => Task.Run(async () =>
        {
            var mine = keys.Where((_, i) => i % 20 == w).ToArray();
            var rnd = new Random(w);
            while (!stop.IsCancellationRequested)
            {
                var key = mine[rnd.Next(mine.Length)];
                var op = Guid.NewGuid();
                var amount = rnd.Next(1, 10);
                while (true) // retry the same operation until it is acknowledged
                {
                    var sw = Stopwatch.StartNew();
                    var started = DateTime.UtcNow;
                    try
                    {
                        await client.Grains.GetGrain<ICounterGrain>(key).Add(op, amount);
                        acked.AddOrUpdate(key, amount, (_, v) => v + amount);
                        Interlocked.Increment(ref ackCount);
                        break;
                    }
                    catch (Exception e)
                    {
                        failures.Add((started, sw.Elapsed, e.GetType().Name));
                        await Task.Delay(20);
                    }
                }
            }
        })).ToArray();

        await Wait.UntilAsync(() => Task.FromResult(Interlocked.Read(ref ackCount) >= 1500), "1,500 acknowledged increments before the kill", TimeSpan.FromMilliseconds(50));
        killedAt = DateTime.UtcNow;
        victim.Kill();

        // Fresh calls to the dead silo's grains, a new one every 100 ms per grain (a call already sent to the dead silo
        // waits for the response timeout; the question is when a *new* call is answered by a new activation elsewhere).
        var recovered = await Task.WhenAll(victimKeys.Take(12).Select(async k =>
        {
            var answered = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
            while (!answered.Task.IsCompleted && DateTime.UtcNow - killedAt < TimeSpan.FromSeconds(60))
            {
                _ = Task.Run(async () =>
                {
                    try
                    {
                        if (await client.Grains.GetGrain<ICounterGrain>(k).Silo() != victimName) answered.TrySetResult(DateTime.UtcNow - killedAt);
                    }
                    catch (Exception) { }
                });
                await Task.WhenAny(answered.Task, Task.Delay(100));
            }
            return await answered.Task.WaitAsync(TimeSpan.FromSeconds(1));
        }));
        var before = Interlocked.Read(ref ackCount);
        await Wait.UntilAsync(() => Task.FromResult(Interlocked.Read(ref ackCount) >= before + 500), "500 more increments after recovery", TimeSpan.FromMilliseconds(50));
        stop.Cancel();
        await Wait.ForAsync(Task.WhenAll(workers), "the load to stop", 60);

        var worst = recovered.Max();
        output.WriteLine($"acknowledged {ackCount} increments; {failures.Count} failed attempts ({string.Join(", ", failures.GroupBy(f => f.error).Select(g => $"{g.Key}×{g.Count()}"))})");
        output.WriteLine($"recovery of {recovered.Length} of the {victimKeys.Length} grains it hosted: median {recovered.OrderBy(t => t).ElementAt(recovered.Length / 2).TotalSeconds:F2} s, worst {worst.TotalSeconds:F2} s (bound {RecoveryBound.TotalSeconds:F1} s)");
        output.WriteLine($"slowest failed call: {(failures.IsEmpty ? 0 : failures.Max(f => f.took.TotalSeconds)):F2} s (response timeout {ProcessCluster.ResponseTimeoutSeconds} s)");

        Assert.True(worst <= RecoveryBound, $"the dead silo's grains answered again only after {worst.TotalSeconds:F2} s");
        Assert.Contains(failures, f => f.error == nameof(TimeoutException)); // calls were in flight to the dead silo…
        Assert.All(failures, f => Assert.True(f.took <= TimeSpan.FromSeconds(ProcessCluster.ResponseTimeoutSeconds + 3),  // …and none waited past the response timeout (+ timer slack)
            $"a call failed only after {f.took.TotalSeconds:F2} s (response timeout {ProcessCluster.ResponseTimeoutSeconds} s)"));
        foreach (var key in keys)
        {
            var value = await client.Grains.GetGrain<ICounterGrain>(key).Get();
            Assert.Equal(acked.GetValueOrDefault(key), value);
        }
    }

    [Fact]
    public async Task Sigstop_UntilDeclaredDead_ThenSigcont_SiloDoesNotComeBack_AndNoStateGoesBackwards()
    {
        await using var cluster = await ProcessCluster.CreateAsync();
        await cluster.StartSiloAsync("silo-1");
        var paused = await cluster.StartSiloAsync("silo-2");
        await cluster.StartSiloAsync("gpu-1", gpu: true);
        var client = await cluster.ConnectAsync();

        var keys = Enumerable.Range(0, 30).Select(i => $"s{i}").ToArray();
        var acked = new ConcurrentDictionary<string, long>();
        var regressions = new ConcurrentBag<string>();
        using var stop = new CancellationTokenSource();
        var workers = keys.Select(key => Task.Run(async () =>
        {
            var grain = client.Grains.GetGrain<ICounterGrain>(key);
            while (!stop.IsCancellationRequested)
            {
                var op = Guid.NewGuid();
                while (true)
                {
                    try
                    {
                        var value = await grain.Add(op, 1);
                        var mustBe = acked.AddOrUpdate(key, 1, (_, v) => v + 1);
                        if (value < mustBe) regressions.Add($"{key}: answered {value} after {mustBe} acknowledged");
                        break;
                    }
                    catch (Exception) { await Task.Delay(20); }
                }
            }
        })).ToArray();

        await Wait.UntilAsync(() => Task.FromResult(acked.Values.Sum() >= 600), "600 increments before the pause", TimeSpan.FromMilliseconds(50));
        paused.Pause();
        await Wait.UntilAsync(async () => (await MembershipRows.StatusAsync(cluster, "silo-2")) == SiloStatus.Dead,
            "silo-2 to be declared dead in the membership table", TimeSpan.FromMilliseconds(100), 60);
        var sumAtDeath = acked.Values.Sum();
        paused.Resume();

        // A silo that finds itself declared dead stops; it never rejoins under the same identity.
        await Wait.ForAsync(paused.Exited, "the resumed silo to stop itself", 60);
        Assert.Equal(SiloStatus.Dead, await MembershipRows.StatusAsync(cluster, "silo-2"));
        await Wait.UntilAsync(() => Task.FromResult(acked.Values.Sum() >= sumAtDeath + 300), "300 more increments after the resume", TimeSpan.FromMilliseconds(50));
        stop.Cancel();
        await Wait.ForAsync(Task.WhenAll(workers), "the load to stop", 60);

        Assert.Empty(regressions);
        foreach (var key in keys) Assert.Equal(acked[key], await client.Grains.GetGrain<ICounterGrain>(key).Get());
    }

    [Fact]
    public async Task WholeClusterKilledAndRestarted_CountersIntact_ReminderFires()
    {
        await using var cluster = await ProcessCluster.CreateAsync();
        var first = new[] { await cluster.StartSiloAsync("silo-1"), await cluster.StartSiloAsync("gpu-1", gpu: true) };
        var client = await cluster.ConnectAsync();
        var keys = Enumerable.Range(0, 50).Select(i => $"r{i}").ToArray();
        for (var i = 0; i < keys.Length; i++)
        {
            var g = client.Grains.GetGrain<ICounterGrain>(keys[i]);
            await g.Add(Guid.NewGuid(), i + 1);
            await g.Add(Guid.NewGuid(), 1000);
        }
        var reminder = client.Grains.GetGrain<IReminderProbeGrain>("restart");
        await reminder.Start(TimeSpan.FromSeconds(2));
        await Wait.UntilAsync(async () => await reminder.Fired() >= 1, "the reminder to fire before the restart", TimeSpan.FromMilliseconds(200));
        var firedBefore = await reminder.Fired();

        foreach (var s in first) s.Kill();
        await Task.WhenAll(first.Select(s => s.Exited));
        var sw = Stopwatch.StartNew();

        await cluster.StartSiloAsync("silo-1b");
        await cluster.StartSiloAsync("gpu-1b", gpu: true);
        output.WriteLine($"restarted silos ready after {sw.Elapsed.TotalSeconds:F1} s");
        var again = await cluster.ConnectAsync();
        output.WriteLine($"client connected after {sw.Elapsed.TotalSeconds:F1} s");
        for (var i = 0; i < keys.Length; i++) Assert.Equal(i + 1 + 1000, await again.Grains.GetGrain<ICounterGrain>(keys[i]).Get());
        var after = again.Grains.GetGrain<IReminderProbeGrain>("restart");
        output.WriteLine($"counters read after {sw.Elapsed.TotalSeconds:F1} s");
        await Wait.UntilAsync(async () => await after.Fired() > firedBefore, "the reminder to fire after the restart", TimeSpan.FromMilliseconds(200), 90);
        output.WriteLine($"reminder fired after {sw.Elapsed.TotalSeconds:F1} s");
    }

    [Fact]
    public async Task StreamEvents_FromAGrainOnAnotherSilo_ArriveInOrderWithoutGaps_AcrossKillOfThePullingSilo()
    {
        await using var cluster = await ProcessCluster.CreateAsync();
        await cluster.StartSiloAsync("silo-1");
        await cluster.StartSiloAsync("silo-2");
        await cluster.StartSiloAsync("gpu-1", gpu: true); // the subscribers live here ([GpuPlacement])
        var client = await cluster.ConnectAsync();

        const int perStream = 200;
        var streams = Enumerable.Range(0, 16).Select(i => $"st{i}").ToArray();
        var mapper = new HashRingBasedStreamQueueMapper(new HashRingStreamQueueMapperOptions { TotalQueueCount = cluster.Options.StreamQueues }, "progress");
        var queueOf = streams.ToDictionary(s => s, s => new RabbitMqStreamOptions { QueuePrefix = cluster.Options.StreamQueuePrefix }
            .QueueName("progress", (int)mapper.GetQueueForStream(StreamId.Create(PublisherGrain.Namespace, s)).GetNumericId()));

        // Which silo's pulling agents own which queue: the broker names each consumer's connection after its silo.
        var consumers = new Dictionary<string, string>();
        await Wait.UntilAsync(async () => (consumers = await BrokerView.QueueConsumersAsync(cluster.Options.StreamQueuePrefix)).Count == cluster.Options.StreamQueues,
            "every stream queue to have a pulling agent", TimeSpan.FromMilliseconds(200), 60);
        // Kill the plain silo that pulls the most of these streams' queues; the publishers live on the other plain silo,
        // the subscribers ([GpuPlacement]) on gpu-1.
        var victimName = new[] { "silo-1", "silo-2" }.OrderByDescending(v => streams.Count(s => consumers.GetValueOrDefault(queueOf[s]) == v)).First();
        var publisherSilo = victimName == "silo-1" ? "silo-2" : "silo-1";
        var pulledByVictim = streams.Where(s => consumers.GetValueOrDefault(queueOf[s]) == victimName).ToArray();
        output.WriteLine($"queues pulled: {string.Join(", ", consumers.OrderBy(c => c.Key).Select(c => $"{c.Key}={c.Value}"))}");
        output.WriteLine($"killing {victimName}, which pulls the queues of {pulledByVictim.Length} of the {streams.Length} streams");
        Assert.NotEmpty(pulledByVictim);

        async Task PublishAsync(int from, int to)
        {
            await Task.WhenAll(streams.Select(async s =>
            {
                var publisher = client.Grains.GetGrain<IPublisherGrain>($"{publisherSilo}/p-{s}");
                for (var batch = from; batch < to; batch += 20)
                {
                    while (true)
                    {
                        try { await publisher.Publish(s, batch, 20); break; }
                        catch (Exception) { await Task.Delay(50); } // at-least-once publishing: a retried batch may repeat events
                    }
                }
            }));
        }

        async Task<bool> AllReceivedAsync(int count)
        {
            foreach (var s in streams)
            {
                if ((await client.Grains.GetGrain<IStreamSubscriberGrain>(s).Received()).Length < count) return false;
            }
            return true;
        }

        await PublishAsync(0, perStream / 2);
        await Wait.UntilAsync(() => AllReceivedAsync(perStream / 2), "the first half of every stream", TimeSpan.FromMilliseconds(200), 60);
        Assert.All(await Task.WhenAll(streams.Select(s => client.Grains.GetGrain<IStreamSubscriberGrain>(s).Silo())), silo => Assert.Equal("gpu-1", silo));
        Assert.All(await Task.WhenAll(streams.Select(s => client.Grains.GetGrain<IPublisherGrain>($"{publisherSilo}/p-{s}").Silo())), silo => Assert.Equal(publisherSilo, silo));

        cluster.Silos.Single(s => s.SiloId == victimName).Kill();
        await PublishAsync(perStream / 2, perStream);
        try
        {
            await Wait.UntilAsync(() => AllReceivedAsync(perStream), "every event of every stream", TimeSpan.FromMilliseconds(200), 90);
        }
        catch (TimeoutException)
        {
            foreach (var s in streams)
            {
                var got = await client.Grains.GetGrain<IStreamSubscriberGrain>(s).Received();
                output.WriteLine($"{s} ({queueOf[s]}, pulled by {consumers.GetValueOrDefault(queueOf[s])}): {got.Length} received, last {(got.Length == 0 ? -1 : got[^1])}");
            }
            foreach (var silo in cluster.Silos) output.WriteLine($"--- {silo.SiloId}\n{silo.Output}");
            output.WriteLine("queues pulled now: " + string.Join(", ", (await BrokerView.QueueConsumersAsync(cluster.Options.StreamQueuePrefix)).OrderBy(c => c.Key).Select(c => $"{c.Key}={c.Value}")));
            throw;
        }

        foreach (var s in streams)
        {
            var subscriber = client.Grains.GetGrain<IStreamSubscriberGrain>(s);
            Assert.Empty(await subscriber.Gaps());
            Assert.Equal(Enumerable.Range(0, perStream), await subscriber.Received());
        }
    }

    [Fact]
    public async Task InferenceGrains_LandOnlyOnGpuSilos_AndNewOnesGoToTheSiloWithMoreFreeSlots()
    {
        await using var cluster = await ProcessCluster.CreateAsync();
        await cluster.StartSiloAsync("silo-1");
        await cluster.StartSiloAsync("silo-2");
        var client = await cluster.ConnectAsync();

        var error = await Assert.ThrowsAnyAsync<Exception>(() => client.Grains.GetGrain<IInferenceProbeGrain>(-1).Silo());
        Assert.Contains("No GPU silo", error.Message + error.InnerException?.Message);

        await cluster.StartSiloAsync("gpu-1", gpu: true);
        var first = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => client.Grains.GetGrain<IInferenceProbeGrain>(i).Silo()));
        Assert.All(first, s => Assert.Equal("gpu-1", s));
        // The GPU silo publishes its load: the registry every placement director reads shows the 100 activations, plus
        // the silo's own GPU worker (one per GPU silo, also an inference activation).
        var registry = client.Grains.GetGrain<ViraLoop.Hosting.Placement.IGpuLoadRegistryGrain>(0);
        await Wait.UntilAsync(async () => (await registry.GetLoads()).Any(l => l.Activations == 101 && l.Slots == 4 && l.Device == "cpu"),
            "gpu-1 to report its 100 inference activations and its worker", TimeSpan.FromMilliseconds(100), 30);

        await cluster.StartSiloAsync("gpu-2", gpu: true);
        // Every silo learns of gpu-2 through membership; until then a placement may still pick gpu-1.
        var next = 1000;
        // (A call placed on gpu-2 in its first moments as a member may time out while it finishes starting: try the next.)
        await Wait.UntilAsync(async () =>
        {
            try { return await client.Grains.GetGrain<IInferenceProbeGrain>(next++).Silo() == "gpu-2"; }
            catch (TimeoutException) { return false; }
        }, "a new inference activation on gpu-2", TimeSpan.FromMilliseconds(100), 60);
        var later = new List<string>();
        for (var i = 0; i < 20; i++) later.Add(await client.Grains.GetGrain<IInferenceProbeGrain>(5000 + i).Silo());
        output.WriteLine($"after gpu-2 joined: {string.Join(", ", later.GroupBy(s => s).Select(g => $"{g.Key}={g.Count()}"))}");
        Assert.All(later, s => Assert.Equal("gpu-2", s));
        await Wait.UntilAsync(async () => (await registry.GetLoads()).Length == 2 && (await registry.GetLoads()).Min(l => l.Activations) >= 20,
            "gpu-2 to report its activations", TimeSpan.FromMilliseconds(100), 30);
    }
}

[CollectionDefinition("processes", DisableParallelization = true)]
public sealed class ProcessCollection;
