using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Runtime;
using Orleans.Streams;
using ViraLoop.Streams.RabbitMQ;
using Xunit;

namespace ViraLoop.Streams.Tests;

/// <summary>What Orleans' pulling agent relies on from a queue adapter, checked against the real broker.</summary>
public sealed class QueueAdapterContractTests : IAsyncLifetime
{
    private const string Provider = "contract";
    private readonly RabbitMqStreamOptions _options = TestEnvironment.Options(TestEnvironment.UniquePrefix("adapter"), queueCount: 2);
    private RabbitMqQueueAdapterFactory _factory = null!;
    private RabbitMqQueueAdapter _adapter = null!;
    private readonly List<IQueueAdapterReceiver> _receivers = new();

    public Task InitializeAsync()
    {
        _factory = new RabbitMqQueueAdapterFactory(Provider, _options, TestEnvironment.Serializer(), NullLoggerFactory.Instance);
        _adapter = _factory.GetOrCreateAdapter();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var r in _receivers) await r.Shutdown(TimeSpan.FromSeconds(2), CancellationToken.None);
        await _factory.DisposeAsync();
        await TestEnvironment.DeleteQueuesAsync(_options, Provider);
    }

    private (QueueId Queue, StreamId[] Streams) StreamsOnOneQueue(int count)
    {
        var mapper = _factory.GetStreamQueueMapper();
        var queue = mapper.GetAllQueues().First();
        var streams = new List<StreamId>();
        while (streams.Count < count)
        {
            var id = StreamId.Create("contract-ns", Guid.NewGuid());
            if (mapper.GetQueueForStream(id).Equals(queue)) streams.Add(id);
        }
        return (queue, streams.ToArray());
    }

    private async Task<IQueueAdapterReceiver> StartReceiverAsync(QueueId queue)
    {
        var receiver = _adapter.CreateReceiver(queue);
        _receivers.Add(receiver);
        await receiver.Initialize(TimeSpan.FromSeconds(10), CancellationToken.None);
        return receiver;
    }

    private static async Task<List<RabbitMqBatchContainer>> ReceiveAsync(IQueueAdapterReceiver receiver, int expected, TimeSpan timeout)
    {
        var got = new List<RabbitMqBatchContainer>();
        await TestEnvironment.WaitUntilAsync(() =>
        {
            var batch = receiver.GetQueueMessagesAsync(100, CancellationToken.None).GetAwaiter().GetResult();
            got.AddRange(batch.Cast<RabbitMqBatchContainer>());
            return got.Count >= expected;
        }, timeout, () => $"received {got.Count} of {expected} messages");
        return got;
    }

    [Fact]
    public async Task Published_messages_are_confirmed_persistent_and_come_out_of_their_queue_in_order()
    {
        var (queue, streams) = StreamsOnOneQueue(3);
        const int perStream = 50;
        for (var i = 0; i < perStream; i++)
        {
            foreach (var s in streams)
            {
                // one message carries two events (a batch), to check events stay together and ordered
                await _adapter.QueueMessageBatchAsync(s, new object[] { i, $"text-{i}" }, null, new Dictionary<string, object> { ["trace"] = $"t{i}" });
            }
        }

        // Publish completed only after the broker confirmed, so the queue already holds every message.
        Assert.Equal((uint)(perStream * streams.Length), await TestEnvironment.MessageCountAsync(_options, _adapter.GetQueueName(queue)));

        var receiver = await StartReceiverAsync(queue);
        var got = await ReceiveAsync(receiver, perStream * streams.Length, TimeSpan.FromSeconds(15));
        Assert.Equal(perStream * streams.Length, got.Count);

        foreach (var s in streams)
        {
            var mine = got.Where(c => c.StreamId.Equals(s)).ToList();
            Assert.Equal(Enumerable.Range(0, perStream), mine.Select(c => c.GetEvents<int>().Single().Item1));
            Assert.Equal(Enumerable.Range(0, perStream).Select(i => $"text-{i}"), mine.Select(c => c.GetEvents<string>().Single().Item1));
            Assert.All(mine, c => Assert.Equal(2, c.Events.Count));
            Assert.Equal(Enumerable.Range(0, perStream).Select(i => $"t{i}"), mine.Select(c => (string)c.RequestContext!["trace"]));
        }
        // Tokens grow in receive order (what the agent's cache compares) and identify the publisher stably.
        var tokens = got.Select(c => (RabbitMqStreamSequenceToken)c.SequenceToken).ToList();
        Assert.True(tokens.Zip(tokens.Skip(1)).All(p => p.First.CompareTo(p.Second) < 0));
        Assert.All(tokens, t => Assert.Equal(_adapter.PublisherId, t.PublisherId));
        Assert.Equal(tokens.Select(t => t.PublisherSequence).Order(), tokens.Select(t => t.PublisherSequence));
        var eventTokens = got[0].GetEvents<object>().Select(e => (RabbitMqStreamSequenceToken)e.Item2).ToList();
        Assert.Equal(new[] { 0, 1 }, eventTokens.Select(t => t.EventIndex));

        await receiver.MessagesDeliveredAsync(got.Cast<IBatchContainer>().ToList(), CancellationToken.None);
        await TestEnvironment.WaitUntilAsync(() => ((RabbitMqQueueAdapterReceiver)receiver).UnackedCount == 0,
            TimeSpan.FromSeconds(5), () => "acks did not settle");
    }

    [Fact]
    public async Task Taken_but_undelivered_messages_are_given_to_the_next_receiver_and_acknowledged_ones_are_not()
    {
        var (queue, streams) = StreamsOnOneQueue(1);
        var stream = streams[0];
        const int total = 100, delivered = 40;
        for (var i = 0; i < total; i++) await _adapter.QueueMessageBatchAsync(stream, new[] { i }, null, null);

        var first = await StartReceiverAsync(queue);
        var got = await ReceiveAsync(first, total, TimeSpan.FromSeconds(15));
        Assert.Equal(Enumerable.Range(0, total), got.Select(c => c.GetEvents<int>().Single().Item1));

        // The agent reports the first 40 as delivered (cache purge); the rest are in its cache when the silo "crashes".
        await first.MessagesDeliveredAsync(got.Take(delivered).Cast<IBatchContainer>().ToList(), CancellationToken.None);
        await ((RabbitMqQueueAdapterReceiver)first).AbortAsync();

        // A sentinel published after the crash: requeued messages are ahead of it, so once the sentinel arrives,
        // everything that was going to be redelivered has been.
        await _adapter.QueueMessageBatchAsync(stream, new[] { -1 }, null, null);

        var second = await StartReceiverAsync(queue);
        var again = await ReceiveAsync(second, total - delivered + 1, TimeSpan.FromSeconds(15));
        var numbers = again.Select(c => c.GetEvents<int>().Single().Item1).ToList();
        Assert.Equal(Enumerable.Range(delivered, total - delivered).Append(-1), numbers);
        Assert.All(again.Take(total - delivered), c => Assert.True(c.Redelivered));
        // The publisher stamp survives redelivery: same dedupe identity as the first time.
        Assert.Equal(got.Skip(delivered).Select(c => c.PublisherSequence), again.Take(total - delivered).Select(c => c.PublisherSequence));

        await second.MessagesDeliveredAsync(again.Cast<IBatchContainer>().ToList(), CancellationToken.None);
        await second.Shutdown(TimeSpan.FromSeconds(5), CancellationToken.None);
        Assert.Equal(0u, await TestEnvironment.MessageCountAsync(_options, _adapter.GetQueueName(queue)));
    }

    [Fact]
    public async Task A_delivery_report_also_settles_older_messages_the_cache_dropped_after_a_failed_delivery()
    {
        var (queue, streams) = StreamsOnOneQueue(1);
        for (var i = 0; i < 10; i++) await _adapter.QueueMessageBatchAsync(streams[0], new[] { i }, null, null);
        var receiver = await StartReceiverAsync(queue);
        var got = await ReceiveAsync(receiver, 10, TimeSpan.FromSeconds(15));

        // The cache purges oldest first and leaves out messages whose delivery failed: a report of 5..9 means 0..4
        // are gone from the cache too. They are settled, not left to hold the prefetch window and come back later.
        await receiver.MessagesDeliveredAsync(got.Skip(5).Cast<IBatchContainer>().ToList(), CancellationToken.None);
        Assert.Equal(0, ((RabbitMqQueueAdapterReceiver)receiver).UnackedCount);
        // A repeated, older report must not ack again (that would close the channel).
        await receiver.MessagesDeliveredAsync(got.Take(3).Cast<IBatchContainer>().ToList(), CancellationToken.None);
        await ((RabbitMqQueueAdapterReceiver)receiver).AbortAsync();
        await _adapter.QueueMessageBatchAsync(streams[0], new[] { -1 }, null, null);

        var next = await StartReceiverAsync(queue);
        var again = await ReceiveAsync(next, 1, TimeSpan.FromSeconds(15));
        Assert.Equal(new[] { -1 }, again.Select(c => c.GetEvents<int>().Single().Item1));
        await next.MessagesDeliveredAsync(again.Cast<IBatchContainer>().ToList(), CancellationToken.None);
    }

    [Fact]
    public async Task Publishing_with_a_sequence_token_is_rejected_because_the_provider_is_not_rewindable()
    {
        Assert.False(_adapter.IsRewindable);
        await Assert.ThrowsAsync<ArgumentException>(() =>
            _adapter.QueueMessageBatchAsync(StreamId.Create("ns", Guid.NewGuid()), new[] { 1 }, new RabbitMqStreamSequenceToken(1, 0, Guid.Empty, 1), null));
    }
}
