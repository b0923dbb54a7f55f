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

    /// <summary>Where a message that cannot be decoded is parked (dead-lettered) instead of being lost.</summary>
    public static string ParkingQueue(string queueName) => queueName + ".dead";

    /// <summary>
    /// Declares a durable partition queue (and its parking queue); idempotent as long as the arguments do not change.
    /// Single active consumer: while a queue moves between silos, the new owner's receiver gets nothing until the old
    /// one has gone, so its unacknowledged messages come back first and a stream's order holds.
    /// </summary>
    public static async Task DeclareQueueAsync(IChannel channel, string queueName, RabbitMqStreamOptions options, CancellationToken ct)
    {
        var parking = ParkingQueue(queueName);
        await channel.QueueDeclareAsync(parking, durable: true, exclusive: false, autoDelete: false,
            arguments: new Dictionary<string, object?> { ["x-queue-type"] = "classic" }, cancellationToken: ct).ConfigureAwait(false);
        var args = new Dictionary<string, object?>
        {
            ["x-queue-type"] = options.QueueType == RabbitMqQueueType.Quorum ? "quorum" : "classic",
            ["x-single-active-consumer"] = true,
            ["x-dead-letter-exchange"] = "",
            ["x-dead-letter-routing-key"] = parking,
        };
        await channel.QueueDeclareAsync(queueName, durable: true, exclusive: false, autoDelete: false, arguments: args, cancellationToken: ct).ConfigureAwait(false);
    }
}
