using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime;
using ViraLoop.Streams.RabbitMQ;

// Orleans convention: provider configuration extensions live in Orleans.Hosting.
namespace Orleans.Hosting;

/// <summary>Adds the RabbitMQ persistent stream provider to silos and clients.</summary>
public static class RabbitMqStreamsHostingExtensions
{
    /// <summary>
    /// Adds a persistent stream provider named <paramref name="name"/> over RabbitMQ to the silo (pulling agents
    /// consume the partition queues; grains on this silo can publish). Pub-sub is Orleans' default (explicit
    /// subscriptions in the "PubSubStore" grain storage, plus implicit subscriptions); queues are balanced over
    /// silos by the consistent ring and move to the survivors when a silo dies.
    /// </summary>
    public static ISiloBuilder AddRabbitMqStreams(this ISiloBuilder builder, string name, Action<RabbitMqStreamOptions> configure)
        => builder.AddRabbitMqStreams(name, configure, configureStream: null);

    /// <summary>As <see cref="AddRabbitMqStreams(ISiloBuilder,string,Action{RabbitMqStreamOptions})"/>, with access to
    /// Orleans' persistent stream configurator (e.g. <c>ConfigureStreamPubSub</c>, another queue balancer).</summary>
    public static ISiloBuilder AddRabbitMqStreams(this ISiloBuilder builder, string name, Action<RabbitMqStreamOptions> configure,
        Action<ISiloPersistentStreamConfigurator>? configureStream)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(configure);
        AddOptions(builder.Services, name, configure);
        builder.AddPersistentStreams(name, RabbitMqQueueAdapterFactory.Create, stream =>
        {
            stream.UseConsistentRingQueueBalancer();
            stream.ConfigurePullingAgent(ob => ob.Configure<IOptionsMonitor<RabbitMqStreamOptions>>((agent, all) =>
            {
                var o = all.Get(name);
                agent.GetQueueMsgsTimerPeriod = o.GetQueueMessagesPeriod;
                if (o.MaxEventDeliveryTime is { } maxDelivery) agent.MaxEventDeliveryTime = maxDelivery;
                if (o.StreamInactivityPeriod is { } inactivity) agent.StreamInactivityPeriod = inactivity;
                // One container per delivery: a message is acknowledged only after its own delivery completed.
                agent.BatchContainerBatchSize = 1;
            }));
            configureStream?.Invoke(stream);
        });
        return builder;
    }

    /// <summary>
    /// Adds the RabbitMQ stream provider named <paramref name="name"/> to a client. Clients only publish (each publish
    /// completes after the broker confirmed the persistent message); consumers live in grains.
    /// </summary>
    public static IClientBuilder AddRabbitMqStreams(this IClientBuilder builder, string name, Action<RabbitMqStreamOptions> configure)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(configure);
        AddOptions(builder.Services, name, configure);
        builder.AddPersistentStreams(name, RabbitMqQueueAdapterFactory.Create, null!);
        return builder;
    }

    private static void AddOptions(IServiceCollection services, string name, Action<RabbitMqStreamOptions> configure)
    {
        services.AddOptions<RabbitMqStreamOptions>(name).Configure(configure);
        services.AddTransient<IConfigurationValidator>(sp =>
            new RabbitMqStreamOptionsValidator(sp.GetRequiredService<IOptionsMonitor<RabbitMqStreamOptions>>().Get(name), name));
    }
}
