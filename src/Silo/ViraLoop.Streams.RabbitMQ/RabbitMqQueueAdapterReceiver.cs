using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Orleans.Serialization;
using Orleans.Streams;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace ViraLoop.Streams.RabbitMQ;

/// <summary>
/// Consumes one partition queue for the pulling agent that owns it.
/// <para>Delivery contract: deliveries are consumed with manual acknowledgement and a bounded prefetch, handed to
/// the agent by <see cref="GetQueueMessagesAsync"/>, and acknowledged only in <see cref="MessagesDeliveredAsync"/>,
/// i.e. when the agent's cache purges them after every consumer cursor has moved past them. Whatever is not
/// acknowledged when this receiver's connection dies (silo crash, shutdown, queue handed to another silo) is requeued
/// by the broker and delivered by the next owner of the queue, possibly a second time.</para>
/// </summary>
public sealed class RabbitMqQueueAdapterReceiver : IQueueAdapterReceiver
{
    private static readonly IList<IBatchContainer> Empty = Array.Empty<IBatchContainer>();

    private readonly string _providerName;
    private readonly RabbitMqStreamOptions _options;
    private readonly Serializer<RabbitMqBatchContainer> _serializer;
    private readonly ILogger _logger;
    private readonly Action<RabbitMqQueueAdapterReceiver> _onClosed;
    private readonly SemaphoreSlim _gate = new(1, 1);               // connection state and acks
    private readonly ConcurrentQueue<RabbitMqBatchContainer> _buffer = new();
    private readonly object _outstandingLock = new();
    private readonly SortedDictionary<ulong, long> _outstanding = new(); // delivery tag -> receipt time (ms), current generation
    private readonly CancellationTokenSource _stop = new();
    private IConnection? _connection;
    private IChannel? _channel;
    private long _generation;
    private long _ackedGeneration = -1;
    private ulong _ackedThrough;                                   // guarded by _gate
    private long _nextSequence = DateTime.UtcNow.Ticks; // grows across receivers of the same queue over time
    private long _nextConnectAttempt;
    private Task? _maintenance;
    private volatile bool _closed;

    internal RabbitMqQueueAdapterReceiver(string providerName, QueueId queueId, string queueName, RabbitMqStreamOptions options,
        Serializer<RabbitMqBatchContainer> serializer, ILogger logger, Action<RabbitMqQueueAdapterReceiver> onClosed)
    {
        _providerName = providerName;
        QueueId = queueId;
        QueueName = queueName;
        _options = options;
        _serializer = serializer;
        _logger = logger;
        _onClosed = onClosed;
    }

    /// <summary>The Orleans queue this receiver reads.</summary>
    public QueueId QueueId { get; }

    /// <summary>The RabbitMQ queue this receiver consumes.</summary>
    public string QueueName { get; }

    /// <summary>Deliveries received and not yet acknowledged (in the buffer or the agent's cache).</summary>
    public int UnackedCount { get { lock (_outstandingLock) return _outstanding.Count; } }

    private bool IsHealthy => _channel is { IsOpen: true } && _connection is { IsOpen: true };

    /// <inheritdoc />
    [Obsolete("Use the overload which accepts a CancellationToken.")]
    public Task Initialize(TimeSpan timeout) => Initialize(timeout, CancellationToken.None);

    /// <inheritdoc />
    [Obsolete("Use the overload which accepts a CancellationToken.")]
    public Task<IList<IBatchContainer>> GetQueueMessagesAsync(int maxCount) => GetQueueMessagesAsync(maxCount, CancellationToken.None);

    /// <inheritdoc />
    [Obsolete("Use the overload which accepts a CancellationToken.")]
    public Task MessagesDeliveredAsync(IList<IBatchContainer> messages) => MessagesDeliveredAsync(messages, CancellationToken.None);

    /// <inheritdoc />
    [Obsolete("Use the overload which accepts a CancellationToken.")]
    public Task Shutdown(TimeSpan timeout) => Shutdown(timeout, CancellationToken.None);

    /// <inheritdoc />
    public async Task Initialize(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, cancellationToken);
        cts.CancelAfter(timeout);
        await _gate.WaitAsync(cts.Token).ConfigureAwait(false);
        try
        {
            await ConnectLockedAsync(cts.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (!_closed)
        {
            // The agent keeps polling; GetQueueMessagesAsync and the maintenance loop retry the connection.
            _logger.LogWarning(ex, "Receiver for {Queue} could not connect at start; will retry", QueueName);
        }
        finally
        {
            _nextConnectAttempt = Environment.TickCount64 + (long)_options.ReconnectDelay.TotalMilliseconds;
            _gate.Release();
        }
        _maintenance ??= Task.Run(MaintenanceLoopAsync);
    }

    /// <inheritdoc />
    public async Task<IList<IBatchContainer>> GetQueueMessagesAsync(int maxCount, CancellationToken cancellationToken)
    {
        if (_closed) return Empty;
        if (!IsHealthy) await TryReconnectAsync().ConfigureAwait(false);
        if (_buffer.IsEmpty) return Empty;

        var generation = Volatile.Read(ref _generation);
        var limit = maxCount <= 0 ? int.MaxValue : maxCount;
        List<IBatchContainer>? result = null;
        while ((result?.Count ?? 0) < limit && _buffer.TryDequeue(out var container))
        {
            if (container.Generation != generation) continue; // its channel is gone: the broker redelivers it
            container.Token = new RabbitMqStreamSequenceToken(_nextSequence++, 0, container.PublisherId, container.PublisherSequence);
            (result ??= new List<IBatchContainer>()).Add(container);
        }
        return result ?? Empty;
    }

    /// <inheritdoc />
    public async Task MessagesDeliveredAsync(IList<IBatchContainer> messages, CancellationToken cancellationToken)
    {
        if (messages.Count == 0 || _closed) return;
        var generation = Volatile.Read(ref _generation);
        var acked = 0;
        ulong maxTag = 0;
        lock (_outstandingLock)
        {
            foreach (var message in messages)
            {
                if (message is RabbitMqBatchContainer c && c.Generation == generation && _outstanding.ContainsKey(c.DeliveryTag) && c.DeliveryTag > maxTag)
                    maxTag = c.DeliveryTag;
            }
            // The cache takes messages in delivery order and purges the oldest first; what lies at or below the newest
            // purged tag and is still outstanding is a message whose delivery failed and which the cache dropped: it is
            // settled too, or it would hold the prefetch window and come back after the next reconnect.
            while (_outstanding.Count > 0 && _outstanding.First().Key <= maxTag)
            {
                _outstanding.Remove(_outstanding.First().Key);
                acked++;
            }
        }
        if (acked == 0) return;

        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            var channel = _channel;
            if (channel is not { IsOpen: true } || generation != Volatile.Read(ref _generation)) return;
            // Acking a tag at or below one already multiple-acked would close the channel.
            if (_ackedGeneration == generation && maxTag <= _ackedThrough) return;
            await channel.BasicAckAsync(maxTag, multiple: true).ConfigureAwait(false);
            (_ackedGeneration, _ackedThrough) = (generation, maxTag);
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "Acknowledging {Count} deliveries on {Queue} failed; the broker will redeliver them", acked, QueueName);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public async Task Shutdown(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (_closed) return;
        _closed = true;
        _stop.Cancel();
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            await TearDownLockedAsync(timeout).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
            _onClosed(this);
        }
        if (_maintenance is not null)
        {
            try { await _maintenance.ConfigureAwait(false); } catch { /* stopping */ }
        }
        _logger.LogDebug("Receiver for {Queue} of stream provider {Provider} shut down", QueueName, _providerName);
    }

    /// <summary>Drops the connection without acknowledging anything, as a crash would (the broker requeues).</summary>
    internal Task AbortAsync() => Shutdown(TimeSpan.FromSeconds(1), CancellationToken.None);

    private async Task ConnectLockedAsync(CancellationToken ct)
    {
        await TearDownLockedAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        var connection = await RabbitMqTopology.ConnectAsync(_options, $"{_options.ClientName ?? Environment.MachineName}/receiver/{QueueName}", ct).ConfigureAwait(false);
        try
        {
            var channel = await connection.CreateChannelAsync(cancellationToken: ct).ConfigureAwait(false);
            await RabbitMqTopology.DeclareQueueAsync(channel, QueueName, _options, ct).ConfigureAwait(false);
            await channel.BasicQosAsync(0, _options.Prefetch, global: false, ct).ConfigureAwait(false);
            var generation = Interlocked.Increment(ref _generation);
            lock (_outstandingLock) _outstanding.Clear();
            _buffer.Clear();
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += (_, ea) => OnReceivedAsync(generation, channel, ea);
            _connection = connection;
            _channel = channel;
            await channel.BasicConsumeAsync(QueueName, autoAck: false, consumer, ct).ConfigureAwait(false);
            _logger.LogDebug("Receiver consuming {Queue} (generation {Generation})", QueueName, generation);
        }
        catch
        {
            _connection = null;
            _channel = null;
            try { await connection.AbortAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(false); } catch { /* best effort */ }
            try { await connection.DisposeAsync().ConfigureAwait(false); } catch { /* best effort */ }
            throw;
        }
    }

    private async Task TearDownLockedAsync(TimeSpan timeout)
    {
        var channel = _channel;
        var connection = _connection;
        _channel = null;
        _connection = null;
        Interlocked.Increment(ref _generation); // deliveries of the old channel are now stale
        lock (_outstandingLock) _outstanding.Clear();
        _buffer.Clear();
        if (connection is null) return;
        // Closing the connection closes the channel; the broker requeues every unacknowledged delivery.
        try { await connection.CloseAsync(timeout).ConfigureAwait(false); }
        catch { try { await connection.AbortAsync(timeout).ConfigureAwait(false); } catch { /* already gone */ } }
        try { if (channel is not null) await channel.DisposeAsync().ConfigureAwait(false); } catch { /* already gone */ }
        try { await connection.DisposeAsync().ConfigureAwait(false); } catch { /* already gone */ }
    }

    private async Task OnReceivedAsync(long generation, IChannel channel, BasicDeliverEventArgs ea)
    {
        if (generation != Volatile.Read(ref _generation)) return;
        RabbitMqBatchContainer container;
        try
        {
            container = _serializer.Deserialize(ea.Body) ?? throw new InvalidDataException("empty message");
        }
        catch (Exception ex)
        {
            // A message that cannot be decoded would be redelivered forever: reject it to the queue's parking queue.
            _logger.LogError(ex, "Parking undecodable message {MessageId} from {Queue} in {Parking}", ea.BasicProperties.MessageId, QueueName,
                RabbitMqTopology.ParkingQueue(QueueName));
            try { await channel.BasicRejectAsync(ea.DeliveryTag, requeue: false).ConfigureAwait(false); } catch { /* channel gone */ }
            return;
        }
        container.DeliveryTag = ea.DeliveryTag;
        container.Generation = generation;
        container.Redelivered = ea.Redelivered;
        lock (_outstandingLock)
        {
            if (generation != Volatile.Read(ref _generation)) return;
            _outstanding[ea.DeliveryTag] = Environment.TickCount64;
        }
        _buffer.Enqueue(container);
    }

    private async Task TryReconnectAsync()
    {
        if (_closed || Environment.TickCount64 < Volatile.Read(ref _nextConnectAttempt)) return;
        if (!await _gate.WaitAsync(0).ConfigureAwait(false)) return;
        try
        {
            if (_closed || IsHealthy) return;
            _logger.LogWarning("Receiver for {Queue} lost its RabbitMQ connection; reconnecting (unacknowledged deliveries are redelivered)", QueueName);
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            cts.CancelAfter(TimeSpan.FromSeconds(10));
            await ConnectLockedAsync(cts.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (!_closed)
        {
            _logger.LogWarning(ex, "Reconnecting receiver for {Queue} failed; retrying in {Delay}", QueueName, _options.ReconnectDelay);
        }
        catch
        {
            // closing
        }
        finally
        {
            Volatile.Write(ref _nextConnectAttempt, Environment.TickCount64 + (long)_options.ReconnectDelay.TotalMilliseconds);
            _gate.Release();
        }
    }

    private async Task MaintenanceLoopAsync()
    {
        var period = TimeSpan.FromMilliseconds(Math.Clamp(_options.MaxUnackedHold.TotalMilliseconds / 4, 50, 1000));
        using var timer = new PeriodicTimer(period);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                if (!IsHealthy)
                {
                    await TryReconnectAsync().ConfigureAwait(false);
                    continue;
                }
                long oldest;
                lock (_outstandingLock) oldest = _outstanding.Count == 0 ? long.MaxValue : _outstanding.First().Value;
                if (oldest != long.MaxValue && Environment.TickCount64 - oldest > _options.MaxUnackedHold.TotalMilliseconds)
                {
                    // Never hold a delivery until the broker's consumer_timeout closes the channel: hand everything
                    // unacknowledged back to the queue (in order) and consume again. May cause duplicates, never loss.
                    _logger.LogWarning("Deliveries on {Queue} unacknowledged for over {Hold}; recycling the channel so the broker requeues them",
                        QueueName, _options.MaxUnackedHold);
                    await _gate.WaitAsync(_stop.Token).ConfigureAwait(false);
                    try
                    {
                        await ConnectLockedAsync(_stop.Token).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (!_closed)
                    {
                        _logger.LogWarning(ex, "Recycling the channel of {Queue} failed; will retry", QueueName);
                    }
                    finally
                    {
                        _gate.Release();
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // shutting down
        }
    }
}
