using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;
using ViraLoop.Runtime.Hosting;
using ViraLoop.Runtime.Messaging;

namespace ViraLoop.Runtime.RabbitMQ;

/// <summary>
/// Cluster transport. Each grain type has a consistent-hash exchange in front of N durable partition
/// queues with <c>x-single-active-consumer</c>: one silo at a time owns a partition, and when it dies
/// the broker hands the partition, with its unacknowledged messages, to a waiting silo. Messages are
/// acknowledged only after the turn (and its state write) completes. Requests use direct reply-to.
/// </summary>
public sealed partial class RabbitMqTransport(RabbitMqOptions options, ILogger? logger = null) : IMessageTransport
{
    private const string DirectReplyTo = "amq.rabbitmq.reply-to";
    private readonly ILogger _log = logger ?? NullLogger.Instance;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<ResponseMessage>> _pending = new();
    private readonly ConcurrentDictionary<string, Task> _declared = new();
    private readonly List<PartitionConsumer> _consumers = new();
    private IMessageSink? _sink;
    private readonly SemaphoreSlim _topologyLock = new(1, 1);
    private IConnection? _connection;
    private IChannel? _send;
    private IChannel? _replies;
    private IChannel? _topology;
    private SiloOptions _silo = new();
    private volatile bool _consuming;
    private volatile bool _disposing;
    private long _generation;

    public bool SerializesMessages => true;
    public event Action? OwnershipLost;
    public RabbitMqOptions Options => options;
    internal IConnection Connection => _connection ?? throw new InvalidOperationException("Not connected.");
    internal string SiloId => _silo.SiloId;

    public async Task ConnectAsync(SiloOptions silo, CancellationToken cancellationToken = default)
    {
        _silo = silo;
        var factory = new ConnectionFactory
        {
            Uri = new Uri(options.Uri),
            AutomaticRecoveryEnabled = true,
            TopologyRecoveryEnabled = true,
            NetworkRecoveryInterval = TimeSpan.FromSeconds(1),
            RequestedHeartbeat = options.Heartbeat,
            ClientProvidedName = silo.SiloId,
            ConsumerDispatchConcurrency = 1,
        };
        try { _connection = await factory.CreateConnectionAsync(cancellationToken).ConfigureAwait(false); }
        catch (BrokerUnreachableException e)
        {
            throw new GrainRuntimeException($"RabbitMQ at {new Uri(options.Uri).GetLeftPart(UriPartial.Authority)} is unreachable: {e.InnerException?.Message ?? e.Message}", e);
        }
        _connection.ConnectionShutdownAsync += (_, args) =>
        {
            Interlocked.Increment(ref _generation);
            foreach (var p in _pending) p.Value.TrySetException(new GrainRuntimeException($"Broker connection lost: {args.ReplyText}"));
            if (!_disposing)
            {
                _log.LogWarning("Silo {Silo}: broker connection lost ({Reason})", silo.SiloId, args.ReplyText);
                OwnershipLost?.Invoke();
            }
            return Task.CompletedTask;
        };
        _topology = await _connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        _send = await _connection.CreateChannelAsync(new CreateChannelOptions(
            publisherConfirmationsEnabled: options.Durable, publisherConfirmationTrackingEnabled: options.Durable),
            cancellationToken).ConfigureAwait(false);
        _replies = await _connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var replyConsumer = new AsyncEventingBasicConsumer(_send);
        replyConsumer.ReceivedAsync += (_, ea) =>
        {
            if (ea.BasicProperties.CorrelationId is { } id && _pending.TryRemove(id, out var tcs))
            {
                var h = ea.BasicProperties.Headers;
                tcs.TrySetResult(new ResponseMessage
                {
                    Ok = Headers.GetBool(h, Headers.Ok), HasBody = true, Body = ea.Body.ToArray(),
                    ErrorType = Headers.GetString(h, Headers.ErrorType), ErrorMessage = Headers.GetString(h, Headers.ErrorMessage),
                    RuntimeError = Headers.GetBool(h, Headers.RuntimeError),
                });
            }
            return Task.CompletedTask;
        };
        await _send.BasicConsumeAsync(DirectReplyTo, autoAck: true, replyConsumer, cancellationToken).ConfigureAwait(false);
        await StartStreamsAsync(cancellationToken).ConfigureAwait(false);
    }

    private string ExchangeName(string grainType) => $"{options.ExchangePrefix}.grain.{grainType}";
    private string QueueName(string grainType, int partition) => $"{options.ExchangePrefix}.grain.{grainType}.{partition}";

    /// <summary>Declares (once per process) the exchange and partition queues of a grain type; idempotent on the broker.</summary>
    private Task EnsureTopologyAsync(string grainType, CancellationToken ct) =>
        _declared.TryGetValue(grainType, out var t) && t.IsCompletedSuccessfully ? t : DeclareSlowAsync(grainType, ct);

    private async Task DeclareSlowAsync(string grainType, CancellationToken ct)
    {
        await _topologyLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_declared.TryGetValue(grainType, out var t) && t.IsCompletedSuccessfully) return;
            var ch = _topology ?? throw new InvalidOperationException("Not connected.");
            var exchange = ExchangeName(grainType);
            await ch.ExchangeDeclareAsync(exchange, "x-consistent-hash", durable: true, autoDelete: false, cancellationToken: ct).ConfigureAwait(false);
            var args = new Dictionary<string, object?> { ["x-single-active-consumer"] = true, ["x-queue-type"] = options.QueueType };
            for (int p = 0; p < options.Partitions; p++)
            {
                var q = QueueName(grainType, p);
                await ch.QueueDeclareAsync(q, durable: true, exclusive: false, autoDelete: false, arguments: args, cancellationToken: ct).ConfigureAwait(false);
                await ch.QueueBindAsync(q, exchange, "1", cancellationToken: ct).ConfigureAwait(false);
            }
            _declared[grainType] = Task.CompletedTask;
        }
        finally { _topologyLock.Release(); }
    }

    public async Task StartConsumingAsync(IReadOnlyCollection<GrainInterfaceInfo> hostedTypes, IMessageSink sink, CancellationToken cancellationToken = default)
    {
        _consuming = true;
        _sink = sink;
        foreach (var type in hostedTypes)
        {
            await EnsureTopologyAsync(type.Name, cancellationToken).ConfigureAwait(false);
            for (int p = 0; p < options.Partitions; p++)
            {
                var consumer = await ConsumeAsync(type.Name, p, cancellationToken).ConfigureAwait(false);
                lock (_consumers) _consumers.Add(consumer);
            }
        }
    }

    /// <summary>Joins the single-active-consumer line of one partition queue on a channel of its own.</summary>
    private async Task<PartitionConsumer> ConsumeAsync(string grainType, int partition, CancellationToken ct)
    {
        var ch = await Connection.CreateChannelAsync(cancellationToken: ct).ConfigureAwait(false);
        await ch.BasicQosAsync(0, options.Prefetch, global: false, ct).ConfigureAwait(false);
        var pc = new PartitionConsumer(grainType, partition, ch);
        var consumer = new AsyncEventingBasicConsumer(ch);
        consumer.ReceivedAsync += (_, ea) =>
        {
            // Stopping or handing over: left unacknowledged, requeued in order when the channel closes.
            if (!_consuming || pc.HandingOver) return Task.CompletedTask;
            pc.Dispatched();
            _sink!.Deliver(ToDelivery(pc, ea));
            return Task.CompletedTask;
        };
        pc.Tag = await ch.BasicConsumeAsync(QueueName(grainType, partition), autoAck: false, consumer, ct).ConfigureAwait(false);
        return pc;
    }

    private Delivery ToDelivery(PartitionConsumer pc, BasicDeliverEventArgs ea)
    {
        var props = ea.BasicProperties;
        var h = props.Headers;
        var grainType = pc.GrainType;
        var envelope = new Envelope
        {
            MessageId = props.MessageId ?? $"{grainType}:{ea.DeliveryTag}:{Guid.NewGuid():N}",
            Target = new GrainId(grainType, Headers.GetString(h, Headers.Key) ?? ea.RoutingKey),
            Method = props.Type ?? "",
            OneWay = props.ReplyTo is null,
            Body = ea.Body.ToArray(),
            DeadlineUnixMs = Headers.GetLong(h, Headers.Deadline),
            SenderSilo = Headers.GetString(h, Headers.Sender),
            TraceParent = Headers.GetString(h, Headers.TraceParent),
        };
        return new Delivery(envelope, this, pc, ea.DeliveryTag, Interlocked.Read(ref _generation), props.ReplyTo, props.CorrelationId);
    }

    public async Task StopConsumingAsync(CancellationToken cancellationToken = default)
    {
        _consuming = false;
        List<PartitionConsumer> consumers;
        lock (_consumers) consumers = _consumers.ToList();
        foreach (var pc in consumers)
        {
            try { if (pc.Channel.IsOpen && pc.Tag is { } tag) await pc.Channel.BasicCancelAsync(tag, cancellationToken: cancellationToken).ConfigureAwait(false); }
            catch (Exception e) when (e is AlreadyClosedException or OperationInterruptedException) { }
        }
    }

    private BasicProperties Properties(Envelope e) => new()
    {
        MessageId = e.MessageId,
        Type = e.Method,
        ContentType = "application/json",
        DeliveryMode = options.Durable ? DeliveryModes.Persistent : DeliveryModes.Transient,
        Headers = new Dictionary<string, object?>
        {
            [Headers.Key] = e.Target.Key, [Headers.Type] = e.Target.Type,
            [Headers.Deadline] = e.DeadlineUnixMs, [Headers.Sender] = e.SenderSilo, [Headers.TraceParent] = e.TraceParent,
        },
    };

    public async ValueTask SendAsync(Envelope envelope, CancellationToken cancellationToken = default)
    {
        await EnsureTopologyAsync(envelope.Target.Type, cancellationToken).ConfigureAwait(false);
        await PublishAsync(ExchangeName(envelope.Target.Type), envelope.Target.Key, Properties(envelope), envelope.Body, cancellationToken).ConfigureAwait(false);
    }

    public async Task<ResponseMessage> RequestAsync(Envelope envelope, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        await EnsureTopologyAsync(envelope.Target.Type, cancellationToken).ConfigureAwait(false);
        var props = Properties(envelope);
        props.ReplyTo = DirectReplyTo;
        props.CorrelationId = envelope.MessageId;
        var tcs = new TaskCompletionSource<ResponseMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[envelope.MessageId] = tcs;
        try
        {
            await PublishAsync(ExchangeName(envelope.Target.Type), envelope.Target.Key, props, envelope.Body, cancellationToken).ConfigureAwait(false);
            return await tcs.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException) { throw new GrainCallTimeoutException(envelope.Target, envelope.Method, timeout); }
        finally { _pending.TryRemove(envelope.MessageId, out _); }
    }

    private async ValueTask PublishAsync(string exchange, string routingKey, BasicProperties props, ReadOnlyMemory<byte> body, CancellationToken ct)
    {
        var ch = _send ?? throw new InvalidOperationException("Not connected.");
        try
        {
            await ch.BasicPublishAsync(exchange, routingKey, mandatory: false, props, body, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AlreadyClosedException or PublishException or OperationInterruptedException)
        {
            throw new GrainRuntimeException($"The broker did not accept the message to {exchange} ({e.Message}); it was not sent.", e);
        }
    }

    internal async ValueTask ReplyAsync(string replyTo, string? correlationId, ResponseMessage response)
    {
        var props = new BasicProperties
        {
            CorrelationId = correlationId,
            Headers = new Dictionary<string, object?> { [Headers.Ok] = response.Ok },
        };
        if (!response.Ok)
        {
            props.Headers[Headers.ErrorType] = response.ErrorType;
            props.Headers[Headers.ErrorMessage] = response.ErrorMessage;
            props.Headers[Headers.RuntimeError] = response.RuntimeError;
        }
        var ch = _replies ?? throw new InvalidOperationException("Not connected.");
        await ch.BasicPublishAsync("", replyTo, mandatory: false, props, response.Body).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        _disposing = true;
        _consuming = false;
        List<PartitionConsumer> consumers;
        lock (_consumers) { consumers = _consumers.ToList(); _consumers.Clear(); }
        foreach (var pc in consumers) await CloseQuietlyAsync(pc.Channel).ConfigureAwait(false);
        foreach (var ch in new[] { _send, _replies, _topology, _streams }) if (ch is not null) await CloseQuietlyAsync(ch).ConfigureAwait(false);
        if (_connection is not null)
        {
            try { await _connection.CloseAsync().ConfigureAwait(false); } catch (Exception) { }
            _connection.Dispose();
        }
    }

    private static async Task CloseQuietlyAsync(IChannel ch)
    {
        try { if (ch.IsOpen) await ch.CloseAsync().ConfigureAwait(false); } catch (Exception) { }
        ch.Dispose();
    }

    private sealed class Delivery(Envelope envelope, RabbitMqTransport owner, PartitionConsumer pc, ulong tag, long generation, string? replyTo, string? correlationId)
        : InboundMessage(envelope)
    {
        private int _settled;

        public override string Partition => pc.Name;

        public override bool IsStale => !pc.Channel.IsOpen || Interlocked.Read(ref owner._generation) != generation;

        public override async ValueTask AckAsync()
        {
            if (IsStale) return;
            try { await pc.Channel.BasicAckAsync(tag, multiple: false).ConfigureAwait(false); }
            catch (Exception e) when (e is AlreadyClosedException or OperationInterruptedException) { /* redelivered elsewhere */ }
            finally { Settle(); }
        }

        public override async ValueTask RequeueAsync()
        {
            if (IsStale) return;
            try { await pc.Channel.BasicNackAsync(tag, multiple: false, requeue: true).ConfigureAwait(false); }
            catch (Exception e) when (e is AlreadyClosedException or OperationInterruptedException) { /* redelivered elsewhere */ }
            finally { Settle(); }
        }

        private void Settle()
        {
            if (Interlocked.Exchange(ref _settled, 1) == 0) pc.Settled();
        }

        public override ValueTask ReplyAsync(ResponseMessage response) =>
            replyTo is null ? ValueTask.CompletedTask : owner.ReplyAsync(replyTo, correlationId, response);
    }
}
