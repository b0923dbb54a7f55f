using RabbitMQ.Client;

namespace ViraLoop.Streams.RabbitMQ;

/// <summary>Connections and queue declarations shared by the adapter and its receivers.</summary>
internal static class RabbitMqTopology
{
    public const string PublisherHeader = "x-vl-publisher";
    public const string PublisherSequenceHeader = "x-vl-seq";
    public const string MessageType = "orleans-stream-batch";

    public static Task<IConnection> ConnectAsync(RabbitMqStreamOptions options, string clientName, CancellationToken ct)
    {
        var factory = new ConnectionFactory
        {
            Uri = new Uri(options.ConnectionString),
            ClientProvidedName = clientName,
            // We reconnect ourselves: an auto-recovered channel restarts delivery tags, and acking an old tag on it
            // would be wrong (or close the channel). A new connection is a new "generation" for the receiver.
            AutomaticRecoveryEnabled = false,
            TopologyRecoveryEnabled = false,
            RequestedHeartbeat = options.Heartbeat,
            ConsumerDispatchConcurrency = 1, // deliveries are handled one at a time, in order
        };
        return factory.CreateConnectionAsync(clientName, ct);
    }

    /// <summary>Declares a durable queue; idempotent as long as the arguments do not change.</summary>
    public static Task DeclareQueueAsync(IChannel channel, string queueName, RabbitMqStreamOptions options, CancellationToken ct)
    {
        var args = new Dictionary<string, object?>
        {
            ["x-queue-type"] = options.QueueType == RabbitMqQueueType.Quorum ? "quorum" : "classic",
        };
        return channel.QueueDeclareAsync(queueName, durable: true, exclusive: false, autoDelete: false, arguments: args, cancellationToken: ct);
    }
}
