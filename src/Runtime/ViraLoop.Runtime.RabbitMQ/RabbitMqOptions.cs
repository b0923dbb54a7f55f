namespace ViraLoop.Runtime.RabbitMQ;

/// <summary>Cluster transport settings. Every silo of a cluster must use the same partition count and queue type.</summary>
public sealed class RabbitMqOptions
{
    public string Uri { get; set; } = "amqp://guest:guest@127.0.0.1:5672/";

    /// <summary>Partition queues per grain type behind its consistent-hash exchange.</summary>
    public int Partitions { get; set; } = 8;

    /// <summary>Unacknowledged deliveries per partition channel. Small, so a hung silo holds little.</summary>
    public ushort Prefetch { get; set; } = 32;

    /// <summary>AMQP heartbeat; a silent peer is dropped after about two to three of these.</summary>
    public TimeSpan Heartbeat { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Persistent messages and publisher confirms (at-least-once across a broker restart).</summary>
    public bool Durable { get; set; } = true;

    /// <summary><c>classic</c> or <c>quorum</c>; both take <c>x-single-active-consumer</c>.</summary>
    public string QueueType { get; set; } = "classic";

    public string ExchangePrefix { get; set; } = "vl";

    /// <summary>Move partitions to the silo rendezvous hashing names for them, so a joining silo takes its share.</summary>
    public bool Rebalance { get; set; } = true;
}
