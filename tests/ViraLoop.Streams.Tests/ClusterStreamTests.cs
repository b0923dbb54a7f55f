using Orleans.Runtime;
using Orleans.Streams;
using Xunit;
using Xunit.Abstractions;

namespace ViraLoop.Streams.Tests;

/// <summary>End to end through Orleans: 2 in-process silos, "PubSubStore" in memory, the provider named "progress".</summary>
public sealed class ClusterStreamTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Grain_publishes_1000_events_and_explicit_and_implicit_subscribers_get_all_in_order()
    {
        await using var cluster = await StreamCluster.StartAsync("e2e");
        var streamId = Guid.NewGuid();
        const int count = 1000;

        // Explicit subscriber on the same stream the implicit subscription covers.
        await cluster.Client.GetGrain<IExplicitSubscriberGrain>($"{Namespaces.Implicit}|{streamId}").SubscribeAsync();
        // And a stream with only an explicit subscriber.
        var explicitOnly = Guid.NewGuid();
        await cluster.Client.GetGrain<IExplicitSubscriberGrain>($"{Namespaces.Explicit}|{explicitOnly}").SubscribeAsync();

        var publisher = cluster.Client.GetGrain<IPublisherGrain>(Guid.NewGuid());
        await Task.WhenAll(
            publisher.PublishAsync(Namespaces.Implicit, streamId, 0, count),
            cluster.Client.GetGrain<IPublisherGrain>(Guid.NewGuid()).PublishAsync(Namespaces.Explicit, explicitOnly, 0, count));

        var implicitRec = StreamRecorder.For("implicit", Namespaces.Implicit, streamId);
        var explicitRec = StreamRecorder.For("explicit", Namespaces.Implicit, streamId);
        var explicitOnlyRec = StreamRecorder.For("explicit", Namespaces.Explicit, explicitOnly);
        await TestEnvironment.WaitUntilAsync(
            () => implicitRec.Count >= count && explicitRec.Count >= count && explicitOnlyRec.Count >= count, Timeout,
            () => $"implicit {implicitRec.Count}, explicit {explicitRec.Count}, explicit-only {explicitOnlyRec.Count} of {count}");

        // No failure happened, so exactly once and in order.
        Assert.Equal(Enumerable.Range(0, count), implicitRec.Numbers());
        Assert.Equal(Enumerable.Range(0, count), explicitRec.Numbers());
        Assert.Equal(Enumerable.Range(0, count), explicitOnlyRec.Numbers());
    }

    [Fact]
    public async Task Client_publishes_to_several_streams_concurrently_and_each_keeps_its_order()
    {
        await using var cluster = await StreamCluster.StartAsync("multi");
        var provider = cluster.Client.GetStreamProvider(TestEnvironment.Provider);
        const int perStream = 200;
        var silos = new HashSet<string>();
        // The queue balancer hands the second silo its queues shortly after start; on a loaded machine the first batch of
        // streams may all be pulled by one silo, so batches go on (each checked for order) until both silos have pulled.
        for (var round = 0; round < 12 && silos.Count < 2; round++)
        {
            var streams = Enumerable.Range(0, 12).Select(_ => Guid.NewGuid()).ToArray();
            await Task.WhenAll(streams.Select(async id =>
            {
                var stream = provider.GetStream<ProgressEvent>(StreamId.Create(Namespaces.Implicit, id));
                for (var i = 0; i < perStream; i++) await stream.OnNextAsync(new ProgressEvent(id, i));
            }));

            var recorders = streams.Select(id => StreamRecorder.For("implicit", Namespaces.Implicit, id)).ToArray();
            await TestEnvironment.WaitUntilAsync(() => recorders.All(r => r.Count >= perStream), Timeout,
                () => string.Join(", ", recorders.Select(r => r.Count)));
            foreach (var r in recorders) Assert.Equal(Enumerable.Range(0, perStream), r.Numbers());
            silos.UnionWith(recorders.SelectMany(r => r.Silos()));
        }
        // The streams were spread over both silos' pulling agents.
        Assert.Equal(2, silos.Count);
    }

    [Fact]
    public async Task Killing_a_silo_loses_no_event_and_the_survivor_delivers_the_rest_in_order()
    {
        await using var cluster = await StreamCluster.StartAsync("kill");
        var provider = cluster.Client.GetStreamProvider(TestEnvironment.Provider);
        var streams = Enumerable.Range(0, 16).Select(_ => Guid.NewGuid()).ToArray();
        var recorders = streams.Select(id => StreamRecorder.For("implicit", Namespaces.Implicit, id)).ToArray();
        const int perStream = 300;
        var victim = cluster.Cluster.Silos[1];
        var victimId = victim.SiloAddress.ToString();

        // Let membership mature a little (young silos are detected slowly, see ORLEANS.md).
        await Task.Delay(TimeSpan.FromSeconds(3));

        using var publishing = new CancellationTokenSource();
        var published = new int[streams.Length];
        var publisher = Task.WhenAll(streams.Select(async (id, s) =>
        {
            var stream = provider.GetStream<ProgressEvent>(StreamId.Create(Namespaces.Implicit, id));
            for (var i = 0; i < perStream; i++)
            {
                await stream.OnNextAsync(new ProgressEvent(id, i));
                published[s] = i + 1;
                if (i % 10 == 9) await Task.Delay(5); // keep events flowing across the kill
            }
        }));

        // Kill once the victim has delivered a fair share, while publishing is still going on.
        await TestEnvironment.WaitUntilAsync(
            () => RuntimeIdentities(recorders).Count(s => IsOn(s, victim)) >= 200
                  || recorders.Sum(r => r.Count) >= streams.Length * perStream / 3,
            Timeout, () => $"received {recorders.Sum(r => r.Count)}");
        var deliveredByVictim = RuntimeIdentities(recorders).Count(s => IsOn(s, victim));
        output.WriteLine($"killing {victimId} after {recorders.Sum(r => r.Count)} events received ({deliveredByVictim} on it), {published.Sum()} published");
        await cluster.Cluster.KillSiloAsync(victim);
        var killedAt = DateTime.UtcNow;

        await publisher;
        await TestEnvironment.WaitUntilAsync(() => recorders.All(r => r.DistinctCount >= perStream), TimeSpan.FromSeconds(90),
            () => $"distinct per stream: {string.Join(",", recorders.Select(r => r.DistinctCount))}");
        output.WriteLine($"all events delivered {(DateTime.UtcNow - killedAt).TotalSeconds:F1} s after the kill; " +
                         $"duplicates {recorders.Sum(r => r.Count - r.DistinctCount)}");

        foreach (var r in recorders)
        {
            // After dropping redelivered duplicates: every number, no gap, ascending.
            Assert.Equal(Enumerable.Range(0, perStream), r.Deduplicated());
        }
        Assert.True(deliveredByVictim > 0, "the killed silo delivered nothing before the kill; the test proved nothing");
        // Streams the victim served before the kill were finished by the survivor.
        var movedStreams = recorders.Count(r => r.Silos().Any(s => IsOn(s, victim)) && !IsOn(r.Silos()[^1], victim));
        Assert.True(movedStreams > 0, "no stream moved from the killed silo to the survivor");
        output.WriteLine($"{movedStreams} streams moved from the killed silo to the survivor");
    }

    private static IEnumerable<string> RuntimeIdentities(IEnumerable<StreamRecorder> recorders) => recorders.SelectMany(r => r.Silos());

    private static bool IsOn(string runtimeIdentity, Orleans.TestingHost.SiloHandle silo) =>
        runtimeIdentity.Contains(silo.SiloAddress.ToString(), StringComparison.Ordinal);
}
