using System.Globalization;
using Orleans;
using Orleans.Runtime;
using ViraLoop.Client;
using ViraLoop.Hosting;

namespace ViraLoop.Cluster.Tests.Infrastructure;

/// <summary>
/// A cluster of silo processes on loopback over a fresh PostgreSQL database and its own RabbitMQ queues, with the
/// membership and timeout settings the tests state: probe timeout 1 s, 2 missed probes, response timeout 5 s,
/// IAmAlive every 5 s (so a restarted cluster ignores the dead members' rows after 15 s).
/// </summary>
public sealed class ProcessCluster : IAsyncDisposable
{
    public const double ResponseTimeoutSeconds = 5;
    public const double ProbeTimeoutSeconds = 1;
    public const int MissedProbes = 2;

    private readonly List<SiloProcess> _silos = new();
    private readonly List<ViraLoopClient> _clients = new();

    private ProcessCluster(string postgres) => Postgres = postgres;

    public string Postgres { get; }
    public string ClusterId { get; } = $"c{Guid.NewGuid():N}"[..12];

    /// <summary>The blob store every silo of this cluster shares.</summary>
    public string Blobs { get; } = Directory.CreateTempSubdirectory("vl-cluster-blobs-").FullName;

    /// <summary>GPU work leases (short, so a dead or paused worker's work is redone within the test).</summary>
    public double LeaseSeconds { get; init; } = 4;
    public IReadOnlyList<SiloProcess> Silos => _silos;

    public static async Task<ProcessCluster> CreateAsync() => new(await Servers.CreateDatabaseAsync());

    public ViraLoopOptions Options => new()
    {
        Mode = "cluster",
        Postgres = Postgres,
        RabbitMq = Servers.RabbitMq,
        RabbitMqManagement = Environment.GetEnvironmentVariable("VIRALOOP_RABBITMQ_MANAGEMENT"),
        ClusterId = ClusterId,
        ServiceId = ClusterId,
        StreamQueuePrefix = ClusterId,
        ResponseTimeoutSeconds = ResponseTimeoutSeconds,
        ProbeTimeoutSeconds = ProbeTimeoutSeconds,
        MissedProbesLimit = MissedProbes,
        IAmAliveSeconds = 5,
        AdvertisedAddress = "127.0.0.1",
        Blobs = Blobs,
        LeaseSeconds = LeaseSeconds,
        JobReminderSeconds = 2,
        CpuSlots = 2,
        AdminKey = AdminKey,
    };

    /// <summary>Every silo's admin key (the API's X-Admin-Key).</summary>
    public const string AdminKey = "cluster-test-admin-key-0123";

    /// <summary>Starts a silo process and waits until it has joined.</summary>
    public async Task<SiloProcess> StartSiloAsync(string siloId, bool gpu = false, int gpuSlots = 4, IReadOnlyDictionary<string, string>? environment = null)
    {
        var o = Options;
        o.SiloPort = SiloHosting.FreePort();
        o.GatewayPort = SiloHosting.FreePort();
        o.GpuSlots = gpuSlots;
        var settings = o.ToEnvironment();
        if (gpu) settings["Role"] = "gpu";
        var silo = new SiloProcess(siloId, settings, environment);
        _silos.Add(silo);
        await silo.WaitReadyAsync();
        return silo;
    }

    public async Task<ViraLoopClient> ConnectAsync()
    {
        var client = await ViraLoopClient.ConnectAsync(Options);
        _clients.Add(client);
        return client;
    }

    /// <summary>Membership as the cluster's management grain reports it: silo name → status.</summary>
    public static async Task<Dictionary<string, SiloStatus>> MembershipAsync(ViraLoopClient client)
    {
        var hosts = await client.Grains.GetGrain<IManagementGrain>(0).GetDetailedHosts(onlyActive: false);
        return hosts.GroupBy(h => h.SiloName).ToDictionary(g => g.Key, g => g.OrderByDescending(h => h.SiloAddress.Generation).First().Status);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var c in _clients)
        {
            try { await c.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)); } catch (Exception) { }
        }
        foreach (var s in _silos) await s.DisposeAsync();
    }
}
