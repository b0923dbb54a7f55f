using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Streams;
using ViraLoop.Hosting;

namespace ViraLoop.Client;

/// <summary>
/// The grain client SDK: an Orleans client connected to a ViraLoop cluster, or an embedded silo started in this
/// process (state in a SQLite file) with its own client.
/// <code>
/// await using var vl = await ViraLoopClient.ConnectAsync(new ViraLoopOptions { Mode = "cluster", Postgres = …, RabbitMq = … });
/// var job = vl.Grains.GetGrain&lt;IVideoJobGrain&gt;(id);
/// </code>
/// </summary>
public sealed class ViraLoopClient : IAsyncDisposable
{
    private readonly IHost _host;

    private ViraLoopClient(IHost host)
    {
        _host = host;
        Cluster = host.Services.GetRequiredService<IClusterClient>();
    }

    public IClusterClient Cluster { get; }
    public IGrainFactory Grains => Cluster;
    public IServiceProvider Services => _host.Services;

    /// <summary>One tenant's videos through typed methods (submit, get, list, approve, reject, cancel, watch).</summary>
    public ViraLoopVideos Videos(string tenant) => new(this, tenant);

    /// <summary>The progress stream provider (memory streams embedded, RabbitMQ in a cluster).</summary>
    public IStreamProvider Streams => Cluster.GetStreamProvider(ProviderNames.Streams);

    /// <summary>
    /// Connects to a cluster (<see cref="ViraLoopOptions.Mode"/> = cluster: gateways from the PostgreSQL membership
    /// table), or to an embedded silo in another process on this machine (its <see cref="ViraLoopOptions.GatewayPort"/>).
    /// </summary>
    public static async Task<ViraLoopClient> ConnectAsync(ViraLoopOptions options, CancellationToken cancellationToken = default)
    {
        return await StartAsync(b => b.UseOrleansClient(c => c.UseViraLoop(options)), cancellationToken);
    }

    /// <summary>
    /// Starts an embedded silo in this process (localhost clustering on free ports, state and reminders in
    /// <paramref name="databasePath"/>, memory streams; it is also the GPU silo) and returns its client.
    /// </summary>
    public static async Task<ViraLoopClient> StartEmbeddedAsync(string databasePath, Action<ISiloBuilder>? configure = null,
        CancellationToken cancellationToken = default)
    {
        var options = new ViraLoopOptions
        {
            Mode = "embedded",
            Database = databasePath,
            SiloId = $"embedded-{Environment.ProcessId}",
            SiloPort = 0,
            GatewayPort = 0,
        };
        return await StartAsync(b => b.UseOrleans(silo =>
        {
            silo.UseViraLoop(options);
            configure?.Invoke(silo);
        }), cancellationToken);
    }

    private static async Task<ViraLoopClient> StartAsync(Action<HostApplicationBuilder> orleans, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        orleans(builder);
        var host = builder.Build();
        try
        {
            await host.StartAsync(cancellationToken);
        }
        catch
        {
            host.Dispose();
            throw;
        }
        return new ViraLoopClient(host);
    }

    public async ValueTask DisposeAsync()
    {
        try { await _host.StopAsync(TimeSpan.FromSeconds(30)); }
        finally { _host.Dispose(); }
    }
}
