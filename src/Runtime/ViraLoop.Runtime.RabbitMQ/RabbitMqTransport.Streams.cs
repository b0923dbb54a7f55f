using System.Collections.Concurrent;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using ViraLoop.Runtime.Messaging;
using ViraLoop.Runtime.Streams;

namespace ViraLoop.Runtime.RabbitMQ;

/// <summary>
/// Streams over a topic exchange: each node has one exclusive queue, bound to every stream one of its
/// subscribers follows; events go on to local subscribers in arrival order (publish order per stream).
/// </summary>
public sealed partial class RabbitMqTransport : IStreamProvider
{
    private readonly InProcessStreamProvider _local = new();
    private readonly ConcurrentDictionary<StreamId, int> _bound = new();
    private readonly SemaphoreSlim _bindLock = new(1, 1);
    private IChannel? _streams;
    private string? _streamQueue;

    private string StreamExchange => $"{options.ExchangePrefix}.streams";

    private static string Escape(string s) => s.Replace("%", "%25").Replace(".", "%2E").Replace("*", "%2A").Replace("#", "%23");
    private static string RoutingKey(StreamId id) => $"{Escape(id.Namespace)}.{Escape(id.Key)}";

    private async Task StartStreamsAsync(CancellationToken ct)
    {
        _streams = await Connection.CreateChannelAsync(cancellationToken: ct).ConfigureAwait(false);
        await _streams.ExchangeDeclareAsync(StreamExchange, ExchangeType.Topic, durable: true, autoDelete: false, cancellationToken: ct).ConfigureAwait(false);
        var q = await _streams.QueueDeclareAsync($"{options.ExchangePrefix}.streams.{SiloId}.{Guid.NewGuid():N}", durable: false, exclusive: true, autoDelete: true, cancellationToken: ct).ConfigureAwait(false);
        _streamQueue = q.QueueName;
        var consumer = new AsyncEventingBasicConsumer(_streams);
        consumer.ReceivedAsync += (_, ea) =>
        {
            var ns = Headers.GetString(ea.BasicProperties.Headers, "vl-ns");
            var key = Headers.GetString(ea.BasicProperties.Headers, "vl-stream");
            if (ns is not null && key is not null) _local.Publish(new StreamId(ns, key), ea.Body.ToArray());
            return Task.CompletedTask;
        };
        await _streams.BasicConsumeAsync(_streamQueue, autoAck: true, consumer, ct).ConfigureAwait(false);
    }

    public IAsyncStream<T> GetStream<T>(string streamNamespace, string key) => new BrokerStream<T>(this, new StreamId(streamNamespace, key));

    private async Task BindAsync(StreamId id, CancellationToken ct)
    {
        await _bindLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_bound.TryGetValue(id, out var n)) { _bound[id] = n + 1; return; }
            await _streams!.QueueBindAsync(_streamQueue!, StreamExchange, RoutingKey(id), cancellationToken: ct).ConfigureAwait(false);
            _bound[id] = 1;
        }
        finally { _bindLock.Release(); }
    }

    private async Task UnbindAsync(StreamId id)
    {
        await _bindLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (!_bound.TryGetValue(id, out var n)) return;
            if (n > 1) { _bound[id] = n - 1; return; }
            _bound.TryRemove(id, out _);
            if (_streams is { IsOpen: true }) await _streams.QueueUnbindAsync(_streamQueue!, StreamExchange, RoutingKey(id)).ConfigureAwait(false);
        }
        finally { _bindLock.Release(); }
    }

    private sealed class BrokerStream<T>(RabbitMqTransport owner, StreamId id) : IAsyncStream<T>
    {
        public StreamId Id => id;

        public async Task OnNextAsync(T item, CancellationToken cancellationToken = default)
        {
            var body = MessageSerializer.Serialize(item, typeof(T), $"event on stream {id}");
            var props = new BasicProperties
            {
                ContentType = "application/json",
                Headers = new Dictionary<string, object?> { ["vl-ns"] = id.Namespace, ["vl-stream"] = id.Key },
            };
            await owner.PublishAsync(owner.StreamExchange, RoutingKey(id), props, body, cancellationToken).ConfigureAwait(false);
        }

        public async Task<IAsyncDisposable> SubscribeAsync(Func<T, CancellationToken, Task> onNext, CancellationToken cancellationToken = default)
        {
            var local = await owner._local.GetStream<object?>(id.Namespace, id.Key).SubscribeAsync((o, ct) =>
                onNext(o is byte[] b ? (T)MessageSerializer.Deserialize(b, typeof(T), $"event on stream {id}")! : (T)o!, ct),
                cancellationToken).ConfigureAwait(false);
            await owner.BindAsync(id, cancellationToken).ConfigureAwait(false);
            return new Subscription(local, () => owner.UnbindAsync(id));
        }
    }

    private sealed class Subscription(IAsyncDisposable local, Func<Task> unbind) : IAsyncDisposable
    {
        private int _disposed;

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
            await unbind().ConfigureAwait(false);
            await local.DisposeAsync().ConfigureAwait(false);
        }
    }
}
