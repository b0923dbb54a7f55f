using ViraLoop.Runtime.Hosting;

namespace ViraLoop.Runtime.RabbitMQ;

public static class RabbitMqSiloBuilderExtensions
{
    /// <summary>Cluster messaging and streams over RabbitMQ (pair it with <c>UsePostgres</c>).</summary>
    public static SiloBuilder UseRabbitMq(this SiloBuilder builder, string uri, Action<RabbitMqOptions>? configure = null)
    {
        var options = new RabbitMqOptions { Uri = uri };
        configure?.Invoke(options);
        return builder
            .UseTransport(_ => new RabbitMqTransport(options))
            .UseStreams((_, transport) => (RabbitMqTransport)transport);
    }
}
