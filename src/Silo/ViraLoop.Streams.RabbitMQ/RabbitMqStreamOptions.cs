using Orleans;
using Orleans.Runtime;

namespace ViraLoop.Streams.RabbitMQ;

/// <summary>Kind of RabbitMQ queue that backs each stream partition.</summary>
public enum RabbitMqQueueType
{
    /// <summary>Quorum queue (Raft-replicated when the broker is a cluster; durable on one node too).</summary>
    Quorum,
    /// <summary>Classic durable queue (lighter on a single-node broker, not replicated).</summary>
    Classic,
}

/// <summary>Options of the RabbitMQ persistent stream provider (one set per provider name).</summary>
public sealed class RabbitMqStreamOptions
{
    /// <summary>AMQP URI, e.g. <c>amqp://user:pass@host:5672/vhost</c>. Required.</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>
    /// Who this process is (a silo's name): prefixes the connection names the broker shows
    /// (<c>{ClientName}/receiver/{queue}</c>, <c>{ClientName}/publisher/…</c>), so operators see which silo pulls which queue.
    /// Default: the machine name.
    /// </summary>
    public string? ClientName { get; set; }

    /// <summary>Number of RabbitMQ queues (stream partitions) the streams are hashed onto. Default 8.</summary>
    public int QueueCount { get; set; } = 8;

    /// <summary>Prefix of the queue names: <c>{QueuePrefix}.{provider}.{n}</c>. Default "vl-streams".</summary>
    public string QueuePrefix { get; set; } = "vl-streams";

    /// <summary>Queue type used when the queues are declared. Default <see cref="RabbitMqQueueType.Quorum"/>.
    /// RabbitMQ fixes the type at first declaration: changing it later requires deleting the queues.</summary>
    public RabbitMqQueueType QueueType { get; set; } = RabbitMqQueueType.Quorum;

    /// <summary>Per-receiver prefetch (basic.qos): the most unacknowledged deliveries one queue's receiver holds. Default 1000.</summary>
    public ushort Prefetch { get; set; } = 1000;

    /// <summary>Size of each queue's in-silo cache (SimpleQueueCache). Default 4096.</summary>
    public int CacheSize { get; set; } = 4096;

    /// <summary>How long a publish waits for the broker's confirm before failing. Default 30 s.</summary>
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Most channels a publisher opens (each carries one publish awaiting its confirm at a time). Default 64.</summary>
    public int PublisherChannels { get; set; } = 64;

    /// <summary>If a delivery stays unacknowledged longer than this (e.g. a consumer is stuck and the cache is
    /// full), the receiver recycles its channel so the broker requeues instead of closing the channel at
    /// consumer_timeout (30 min by default). Default 10 min.</summary>
    public TimeSpan MaxUnackedHold { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>AMQP heartbeat. Default 10 s (a silo whose host vanishes is noticed by the broker within ~2 heartbeats).</summary>
    public TimeSpan Heartbeat { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Pause between reconnect attempts after a lost connection. Default 1 s.</summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Pass-through to <c>StreamPullingAgentOptions.GetQueueMsgsTimerPeriod</c> (silo only). Default 100 ms.</summary>
    public TimeSpan GetQueueMessagesPeriod { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Pass-through to <c>StreamPullingAgentOptions.MaxEventDeliveryTime</c> (silo only); null keeps Orleans' default.</summary>
    public TimeSpan? MaxEventDeliveryTime { get; set; }

    /// <summary>Pass-through to <c>StreamPullingAgentOptions.StreamInactivityPeriod</c> (silo only); null keeps Orleans' default.</summary>
    public TimeSpan? StreamInactivityPeriod { get; set; }

    public string QueueName(string providerName, int index) => $"{QueuePrefix}.{providerName}.{index}";
}

internal sealed class RabbitMqStreamOptionsValidator(RabbitMqStreamOptions options, string name) : IConfigurationValidator
{
    public void ValidateConfiguration()
    {
        string Prefix() => $"RabbitMQ stream provider '{name}': ";
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
            throw new OrleansConfigurationException(Prefix() + $"{nameof(RabbitMqStreamOptions.ConnectionString)} is required (an AMQP URI).");
        if (!Uri.TryCreate(options.ConnectionString, UriKind.Absolute, out var uri) || (uri.Scheme != "amqp" && uri.Scheme != "amqps"))
            throw new OrleansConfigurationException(Prefix() + $"{nameof(RabbitMqStreamOptions.ConnectionString)} must be an amqp:// or amqps:// URI.");
        if (options.QueueCount < 1)
            throw new OrleansConfigurationException(Prefix() + $"{nameof(RabbitMqStreamOptions.QueueCount)} must be at least 1.");
        if (string.IsNullOrWhiteSpace(options.QueuePrefix))
            throw new OrleansConfigurationException(Prefix() + $"{nameof(RabbitMqStreamOptions.QueuePrefix)} is required.");
        if (options.Prefetch < 1)
            throw new OrleansConfigurationException(Prefix() + $"{nameof(RabbitMqStreamOptions.Prefetch)} must be at least 1.");
        if (options.CacheSize < 16)
            throw new OrleansConfigurationException(Prefix() + $"{nameof(RabbitMqStreamOptions.CacheSize)} must be at least 16.");
        if (options.PublisherChannels < 1)
            throw new OrleansConfigurationException(Prefix() + $"{nameof(RabbitMqStreamOptions.PublisherChannels)} must be at least 1.");
        if (options.MaxUnackedHold <= TimeSpan.Zero || options.PublishTimeout <= TimeSpan.Zero)
            throw new OrleansConfigurationException(Prefix() + "timeouts must be positive.");
    }
}
