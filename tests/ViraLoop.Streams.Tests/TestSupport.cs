using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Serialization;
using Orleans.TestingHost;
using RabbitMQ.Client;
using ViraLoop.Streams.RabbitMQ;
using Xunit;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace ViraLoop.Streams.Tests;

public static class TestEnvironment
{
    public const string Provider = "progress";

    /// <summary>AMQP URI of the throwaway RabbitMQ (scripts/servers.sh / scripts/test.sh export it).</summary>
    public static string RabbitMqUri =>
        Environment.GetEnvironmentVariable("VIRALOOP_RABBITMQ") is { Length: > 0 } uri
            ? uri
            : throw new InvalidOperationException(
                "VIRALOOP_RABBITMQ is not set. These tests need a RabbitMQ broker: run scripts/test.sh, or start the " +
                "throwaway servers (scripts/servers.sh start) and `source` the env file they print, e.g. /tmp/vl-servers.env.");

    /// <summary>A queue prefix no other test shares.</summary>
    public static string UniquePrefix(string test) => $"vlt-{test}-{Guid.NewGuid():N}"[..40];

    public static RabbitMqStreamOptions Options(string prefix, int queueCount = 8) => new()
    {
        ConnectionString = RabbitMqUri,
        QueuePrefix = prefix,
        QueueCount = queueCount,
    };

    public static async Task DeleteQueuesAsync(RabbitMqStreamOptions options, string provider)
    {
        try
        {
            var factory = new ConnectionFactory { Uri = new Uri(options.ConnectionString) };
            await using var connection = await factory.CreateConnectionAsync();
            for (var i = 0; i < options.QueueCount; i++)
            {
                await using var channel = await connection.CreateChannelAsync();
                try { await channel.QueueDeleteAsync(options.QueueName(provider, i), ifUnused: false, ifEmpty: false); }
                catch { /* never declared */ }
            }
        }
        catch { /* cleanup is best effort */ }
    }

    public static async Task<uint> MessageCountAsync(RabbitMqStreamOptions options, string queueName)
    {
        var factory = new ConnectionFactory { Uri = new Uri(options.ConnectionString) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var ok = await channel.QueueDeclarePassiveAsync(queueName);
        return ok.MessageCount;
    }

    public static Serializer<RabbitMqBatchContainer> Serializer() =>
        new ServiceCollection()
            .AddSerializer(b => b.AddAssembly(typeof(RabbitMqBatchContainer).Assembly).AddAssembly(typeof(TestEnvironment).Assembly))
            .BuildServiceProvider()
            .GetRequiredService<Serializer<RabbitMqBatchContainer>>();

    /// <summary>Polls <paramref name="condition"/> until it holds or the timeout passes (then throws with <paramref name="describe"/>).</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, Func<string> describe)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Timed out after {timeout}: {describe()}");
            await Task.Delay(25);
        }
    }
}

/// <summary>What subscribers saw, per stream (in-process clusters share this static state with the test).</summary>
public sealed class StreamRecorder
{
    private readonly Lock _lock = new();
    private readonly List<(int Number, string Silo)> _received = new();

    public void Add(int number, string silo)
    {
        lock (_lock) _received.Add((number, silo));
    }

    public List<int> Numbers() { lock (_lock) return _received.Select(r => r.Number).ToList(); }
    public List<string> Silos() { lock (_lock) return _received.Select(r => r.Silo).ToList(); }
    public int Count { get { lock (_lock) return _received.Count; } }
    public int DistinctCount { get { lock (_lock) return _received.Select(r => r.Number).Distinct().Count(); } }

    /// <summary>First occurrence of each number, in arrival order (redelivery duplicates removed).</summary>
    public List<int> Deduplicated()
    {
        var seen = new HashSet<int>();
        return Numbers().Where(seen.Add).ToList();
    }

    private static readonly ConcurrentDictionary<string, StreamRecorder> All = new();
    public static StreamRecorder For(string kind, string ns, Guid stream) => All.GetOrAdd($"{kind}/{ns}/{stream:N}", _ => new StreamRecorder());
}

/// <summary>A 2-silo in-process cluster with the RabbitMQ provider named "progress" on silos and client.</summary>
public sealed class StreamCluster : IAsyncDisposable
{
    private StreamCluster(InProcessTestCluster cluster, RabbitMqStreamOptions options)
    {
        Cluster = cluster;
        Options = options;
    }

    public InProcessTestCluster Cluster { get; }
    public RabbitMqStreamOptions Options { get; }
    public IClusterClient Client => Cluster.Client;

    public static async Task<StreamCluster> StartAsync(string testName, short silos = 2, Action<RabbitMqStreamOptions>? tweak = null)
    {
        var options = TestEnvironment.Options(TestEnvironment.UniquePrefix(testName));
        void Configure(RabbitMqStreamOptions o)
        {
            o.ConnectionString = options.ConnectionString;
            o.QueuePrefix = options.QueuePrefix;
            o.QueueCount = options.QueueCount;
            tweak?.Invoke(o);
        }

        var builder = new InProcessTestClusterBuilder(silos);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddMemoryGrainStorage("PubSubStore");
            silo.AddRabbitMqStreams(TestEnvironment.Provider, Configure);
            silo.Services.Configure<ClusterMembershipOptions>(m =>
            {
                m.ProbeTimeout = TimeSpan.FromSeconds(1);
                m.NumMissedProbesLimit = 2;
                m.NumVotesForDeathDeclaration = 1;
            });
            silo.Services.Configure<SiloMessagingOptions>(m => m.ResponseTimeout = TimeSpan.FromSeconds(10));
        });
        builder.ConfigureClient(client =>
        {
            client.AddRabbitMqStreams(TestEnvironment.Provider, Configure);
            client.Services.Configure<ClientMessagingOptions>(m => m.ResponseTimeout = TimeSpan.FromSeconds(10));
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return new StreamCluster(cluster, options);
    }

    public async ValueTask DisposeAsync()
    {
        try { await Cluster.StopAllSilosAsync(); } catch { /* killed silos */ }
        await Cluster.DisposeAsync();
        await TestEnvironment.DeleteQueuesAsync(Options, TestEnvironment.Provider);
    }
}
