using ViraLoop.Runtime;
using ViraLoop.Runtime.Hosting;
using ViraLoop.Runtime.PostgreSql;
using ViraLoop.Runtime.RabbitMQ;
using ViraLoop.Runtime.Sqlite;

namespace ViraLoop.Client;

/// <summary>
/// The grain client SDK: a connection to a cluster (or an embedded silo in this process) that hosts no
/// grains of its own and gives a grain factory and streams.
/// <code>
/// await using var client = await GrainClient.ConnectAsync(rabbitUri, postgres);
/// var job = client.GetGrain&lt;IVideoJobGrain&gt;(id);
/// </code>
/// </summary>
public sealed class GrainClient : IGrainFactory, IAsyncDisposable
{
    private readonly Silo _silo;

    private GrainClient(Silo silo) => _silo = silo;

    public IStreamProvider Streams => _silo.Streams;
    public IGrainFactory Grains => _silo.GrainFactory;

    public TGrain GetGrain<TGrain>(string key) where TGrain : IGrain => _silo.GrainFactory.GetGrain<TGrain>(key);

    public Task<IReadOnlyList<SiloInfo>> GetSilosAsync(CancellationToken cancellationToken = default) => _silo.GetSilosAsync(cancellationToken);

    /// <summary>Connects to a cluster; every silo of it must use the same <paramref name="partitions"/>.</summary>
    public static async Task<GrainClient> ConnectAsync(string rabbitMqUri, string postgres, int partitions = 8, string exchangePrefix = "vl",
        CancellationToken cancellationToken = default)
    {
        var silo = new SiloBuilder()
            .Configure(o => o.SiloId = $"client-{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}")
            .UseRabbitMq(rabbitMqUri, o => { o.Partitions = partitions; o.ExchangePrefix = exchangePrefix; })
            .UsePostgres(postgres)
            .Build();
        await silo.StartAsync(cancellationToken);
        return new GrainClient(silo);
    }

    /// <summary>Starts an embedded silo in this process hosting the given grains (state in a SQLite file) and returns a client to it.</summary>
    public static async Task<GrainClient> StartEmbeddedAsync(string databasePath, Action<SiloBuilder> grains, CancellationToken cancellationToken = default)
    {
        var builder = new SiloBuilder().UseEmbedded(databasePath);
        grains(builder);
        var silo = builder.Build();
        await silo.StartAsync(cancellationToken);
        return new GrainClient(silo);
    }

    public ValueTask DisposeAsync() => _silo.DisposeAsync();
}
