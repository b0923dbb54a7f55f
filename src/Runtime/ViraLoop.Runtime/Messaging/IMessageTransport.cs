using ViraLoop.Runtime.Hosting;

namespace ViraLoop.Runtime.Messaging;

/// <summary>Receives deliveries from a transport (the silo's catalog).</summary>
public interface IMessageSink
{
    void Deliver(InboundMessage message);
}

/// <summary>
/// Moves grain messages. Embedded: in-process mailboxes. Cluster: RabbitMQ partition queues.
/// Grain code never sees it.
/// </summary>
public interface IMessageTransport : IAsyncDisposable
{
    /// <summary>True when envelopes must carry serialized bodies (a wire transport).</summary>
    bool SerializesMessages { get; }

    /// <summary>Connects; after this the transport can send and receive replies.</summary>
    Task ConnectAsync(SiloOptions options, CancellationToken cancellationToken = default);

    /// <summary>Begins consuming messages for the hosted grain types.</summary>
    Task StartConsumingAsync(IReadOnlyCollection<GrainInterfaceInfo> hostedTypes, IMessageSink sink, CancellationToken cancellationToken = default);

    /// <summary>Stops taking new deliveries (in-flight ones may still be acknowledged).</summary>
    Task StopConsumingAsync(CancellationToken cancellationToken = default);

    /// <summary>One-way: completes when the transport has accepted the message (for a broker: confirmed).</summary>
    ValueTask SendAsync(Envelope envelope, CancellationToken cancellationToken = default);

    Task<ResponseMessage> RequestAsync(Envelope envelope, TimeSpan timeout, CancellationToken cancellationToken = default);

    /// <summary>Raised when the transport loses its deliveries (connection lost): in-memory activations must be dropped.</summary>
    event Action? OwnershipLost;
}
