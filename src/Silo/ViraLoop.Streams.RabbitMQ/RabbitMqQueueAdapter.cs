using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Streams;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace ViraLoop.Streams.RabbitMQ;

/// <summary>
/// Publishes stream batches as persistent RabbitMQ messages (default exchange, routing key = partition queue) and
/// completes only after the broker's publisher confirm. Creates one receiver per partition queue.
/// </summary>
public sealed class RabbitMqQueueAdapter : IQueueAdapter, IAsyncDisposable
{
    private readonly RabbitMqStreamOptions _options;
    private readonly IStreamQueueMapper _mapper;
    private readonly Serializer<RabbitMqBatchContainer> _serializer;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _channelSlots;
    private readonly ConcurrentBag<IChannel> _idleChannels = new();
    private readonly SemaphoreSlim _connectLock = new(1, 1);
    private readonly SemaphoreSlim _declareLock = new(1, 1);
    private readonly ConcurrentDictionary<RabbitMqQueueAdapterReceiver, byte> _receivers = new();
    private IConnection? _connection;
    private bool _queuesDeclared;
    private long _publishSequence;
    private int _disposed;

    internal RabbitMqQueueAdapter(string name, RabbitMqStreamOptions options, IStreamQueueMapper mapper,
        Serializer<RabbitMqBatchContainer> serializer, ILoggerFactory loggerFactory)
    {
        Name = name;
        _options = options;
        _mapper = mapper;
        _serializer = serializer;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<RabbitMqQueueAdapter>();
        _channelSlots = new SemaphoreSlim(options.PublisherChannels, options.PublisherChannels);
    }

    /// <summary>Identity stamped on every message this adapter publishes (with a per-message sequence number).</summary>
    public Guid PublisherId { get; } = Guid.NewGuid();

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public bool IsRewindable => false;

    /// <inheritdoc />
    public StreamProviderDirection Direction => StreamProviderDirection.ReadWrite;

    /// <summary>RabbitMQ queue name of a partition.</summary>
    public string GetQueueName(QueueId queueId) => _options.QueueName(Name, (int)queueId.GetNumericId());

    /// <inheritdoc />
    public IQueueAdapterReceiver CreateReceiver(QueueId queueId)
    {
        var receiver = new RabbitMqQueueAdapterReceiver(Name, queueId, GetQueueName(queueId), _options, _serializer,
            _loggerFactory.CreateLogger<RabbitMqQueueAdapterReceiver>(), r => _receivers.TryRemove(r, out _));
        _receivers[receiver] = 0;
        return receiver;
    }

    /// <inheritdoc />
    public async Task QueueMessageBatchAsync<T>(StreamId streamId, IEnumerable<T> events, StreamSequenceToken? token, Dictionary<string, object>? requestContext)
    {
        if (token is not null)
            throw new ArgumentException("The RabbitMQ stream provider is not rewindable: a sequence token cannot be given to publish.", nameof(token));
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

        var queueName = GetQueueName(_mapper.GetQueueForStream(streamId));
        var sequence = Interlocked.Increment(ref _publishSequence);
        var container = new RabbitMqBatchContainer(streamId, events.Cast<object>().ToList(),
            requestContext is { Count: > 0 } ? requestContext : null, PublisherId, sequence);
        var body = _serializer.SerializeToArray(container);
        var props = new BasicProperties
        {
            Persistent = true,
            MessageId = $"{PublisherId:N}:{sequence}",
            Type = RabbitMqTopology.MessageType,
            ContentType = "application/x-orleans-binary",
            Headers = new Dictionary<string, object?>
            {
                [RabbitMqTopology.PublisherHeader] = PublisherId.ToString("N"),
                [RabbitMqTopology.PublisherSequenceHeader] = sequence,
            },
        };

        using var cts = new CancellationTokenSource(_options.PublishTimeout);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await PublishOnceAsync(queueName, props, body, streamId, cts.Token).ConfigureAwait(false);
                return;
            }
            catch (PublishException ex) when (attempt < 5 && !cts.IsCancellationRequested)
            {
                // basic.nack or basic.return: the broker did not take the message (e.g. a quorum queue still
                // electing its leader). Nothing was enqueued, so retrying keeps exactly-once publish and order.
                _logger.LogDebug(ex, "Publish to {Queue} was refused (attempt {Attempt}); retrying", queueName, attempt);
                await Task.Delay(50 * attempt, cts.Token).ConfigureAwait(false);
            }
        }
    }

    private async Task PublishOnceAsync(string queueName, BasicProperties props, byte[] body, StreamId streamId, CancellationToken ct)
    {
        await _channelSlots.WaitAsync(ct).ConfigureAwait(false);
        IChannel? channel = null;
        var healthy = false;
        try
        {
            channel = await RentChannelAsync(ct).ConfigureAwait(false);
            // mandatory: an unroutable message (queue missing) fails the publish instead of vanishing.
            await channel.BasicPublishAsync("", queueName, mandatory: true, props, body, ct).ConfigureAwait(false);
            healthy = true;
        }
        catch (Exception ex) when (ex is not PublishException)
        {
            _logger.LogWarning(ex, "Publish to {Queue} for stream {StreamId} failed", queueName, streamId);
            throw;
        }
        finally
        {
            if (channel is not null)
            {
                if (healthy && channel.IsOpen) _idleChannels.Add(channel);
                else _ = DisposeChannelAsync(channel);
            }
            _channelSlots.Release();
        }
    }

    /// <summary>Declares every partition queue (idempotent). Called before the first publish.</summary>
    public async Task EnsureQueuesAsync(CancellationToken ct = default)
    {
        if (Volatile.Read(ref _queuesDeclared)) return;
        await _declareLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_queuesDeclared) return;
            var connection = await GetConnectionAsync(ct).ConfigureAwait(false);
            await using var channel = await connection.CreateChannelAsync(cancellationToken: ct).ConfigureAwait(false);
            foreach (var queueId in _mapper.GetAllQueues())
                await RabbitMqTopology.DeclareQueueAsync(channel, GetQueueName(queueId), _options, ct).ConfigureAwait(false);
            Volatile.Write(ref _queuesDeclared, true);
        }
        finally
        {
            _declareLock.Release();
        }
    }

    private async Task<IChannel> RentChannelAsync(CancellationToken ct)
    {
        while (_idleChannels.TryTake(out var idle))
        {
            if (idle.IsOpen) return idle;
            _ = DisposeChannelAsync(idle);
        }
        await EnsureQueuesAsync(ct).ConfigureAwait(false);
        var connection = await GetConnectionAsync(ct).ConfigureAwait(false);
        return await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true),
            ct).ConfigureAwait(false);
    }

    private async Task<IConnection> GetConnectionAsync(CancellationToken ct)
    {
        var current = _connection;
        if (current is { IsOpen: true }) return current;
        await _connectLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_connection is { IsOpen: true }) return _connection;
            if (_connection is not null)
            {
                _logger.LogWarning("RabbitMQ publisher connection of stream provider {Provider} was lost; reconnecting", Name);
                while (_idleChannels.TryTake(out var stale)) _ = DisposeChannelAsync(stale);
                _ = DisposeConnectionAsync(_connection);
            }
            _connection = await RabbitMqTopology.ConnectAsync(_options, $"{_options.ClientName ?? Environment.MachineName}/publisher/{Name}/{PublisherId:N}", ct).ConfigureAwait(false);
            return _connection;
        }
        finally
        {
            _connectLock.Release();
        }
    }

    private static async Task DisposeChannelAsync(IChannel channel)
    {
        try { await channel.DisposeAsync().ConfigureAwait(false); } catch { /* already gone */ }
    }

    private static async Task DisposeConnectionAsync(IConnection connection)
    {
        try { await connection.DisposeAsync().ConfigureAwait(false); } catch { /* already gone */ }
    }

    /// <summary>Closes the publisher connection and aborts every receiver's connection (unacknowledged messages are
    /// requeued by the broker). Called when the silo's or client's service provider is disposed.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        foreach (var receiver in _receivers.Keys) await receiver.AbortAsync().ConfigureAwait(false);
        while (_idleChannels.TryTake(out var channel)) await DisposeChannelAsync(channel).ConfigureAwait(false);
        if (_connection is not null) await DisposeConnectionAsync(_connection).ConfigureAwait(false);
    }
}
