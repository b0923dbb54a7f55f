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

/// <summary>
/// A transport whose partitions can move between silos while they run (cluster mode): each silo keeps the
/// partitions that rendezvous hashing over the live silos gives it and hands the others over.
/// </summary>
public interface IPartitionBalancer
{
    Task RebalanceAsync(IReadOnlyList<SiloInfo> liveSilos, CancellationToken cancellationToken = default);

    /// <summary>Raised after a partition was handed to another silo: activations fed from it must be dropped.</summary>
    event Action<string>? PartitionReleased;
}
