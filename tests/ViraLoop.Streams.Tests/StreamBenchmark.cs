using System.Diagnostics;
using Orleans.Runtime;
using Orleans.Streams;
using ViraLoop.Streams.RabbitMQ;
using Xunit;
using Xunit.Abstractions;

namespace ViraLoop.Streams.Tests;

/// <summary>End-to-end throughput of the RabbitMQ stream provider: client publishes, implicit subscriber grains on
/// the silos receive. Callable from other code (e.g. a bench runner) with any running <see cref="StreamCluster"/>.</summary>
public static class StreamBenchmark
{
    public sealed record Result(int Events, TimeSpan PublishTime, TimeSpan EndToEndTime, int Duplicates)
    {
        public double PublishedPerSecond => Events / PublishTime.TotalSeconds;
        public double DeliveredPerSecond => Events / EndToEndTime.TotalSeconds;
        public override string ToString() =>
            $"{Events} events: published {PublishedPerSecond:F0}/s (confirmed), delivered end-to-end {DeliveredPerSecond:F0}/s, duplicates {Duplicates}";
    }

    public static async Task<Result> RunAsync(IClusterClient client, int streams, int eventsPerStream, TimeSpan timeout)
    {
        var provider = client.GetStreamProvider(TestEnvironment.Provider);
        var ids = Enumerable.Range(0, streams).Select(_ => Guid.NewGuid()).ToArray();
        var recorders = ids.Select(id => StreamRecorder.For("implicit", Namespaces.Implicit, id)).ToArray();
        var total = streams * eventsPerStream;

        var clock = Stopwatch.StartNew();
        await Task.WhenAll(ids.Select(async id =>
        {
            var stream = provider.GetStream<ProgressEvent>(StreamId.Create(Namespaces.Implicit, id));
            for (var i = 0; i < eventsPerStream; i++) await stream.OnNextAsync(new ProgressEvent(id, i));
        }));
        var publishTime = clock.Elapsed;
        await TestEnvironment.WaitUntilAsync(() => recorders.All(r => r.DistinctCount >= eventsPerStream), timeout,
            () => $"delivered {recorders.Sum(r => r.DistinctCount)} of {total}");
        var endToEnd = clock.Elapsed;
        foreach (var r in recorders)
        {
            if (!r.Deduplicated().SequenceEqual(Enumerable.Range(0, eventsPerStream)))
                throw new InvalidOperationException("a stream lost its order during the benchmark");
        }
        return new Result(total, publishTime, endToEnd, recorders.Sum(r => r.Count - r.DistinctCount));
    }
}

public sealed class StreamBenchmarkTests(ITestOutputHelper output)
{
    [Theory, Trait("Category", "bench")]
    [InlineData(RabbitMqQueueType.Quorum)]
    [InlineData(RabbitMqQueueType.Classic)]
    public async Task Throughput_across_two_silos(RabbitMqQueueType queueType)
    {
        await using var cluster = await StreamCluster.StartAsync("bench", tweak: o => { o.QueueType = queueType; });
        await StreamBenchmark.RunAsync(cluster.Client, 4, 50, TimeSpan.FromSeconds(60)); // warm-up
        var result = await StreamBenchmark.RunAsync(cluster.Client, streams: 32, eventsPerStream: 300, TimeSpan.FromSeconds(120));
        output.WriteLine($"{queueType}: {result}");
        Console.WriteLine($"[bench] {queueType}: {result}");
        Assert.Equal(32 * 300, result.Events);
    }
}
