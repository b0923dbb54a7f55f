using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Runtime.MembershipService.SiloMetadata;
using ViraLoop.Grains.Placement;
using ViraLoop.Hosting.Placement;
using ViraLoop.Providers.Sqlite;
using ViraLoop.Streams.RabbitMQ;

namespace ViraLoop.Hosting;

/// <summary>Names grain code uses for providers; the same in both modes.</summary>
public static class ProviderNames
{
    /// <summary>The stream provider that carries progress events (memory streams embedded, RabbitMQ in a cluster).</summary>
    public const string Streams = ViraLoop.Grains.Messages.StreamNames.Provider;

    /// <summary>Explicit stream subscriptions.</summary>
    public const string PubSubStore = "PubSubStore";

    public const string AdoInvariant = "Npgsql";
}

/// <summary>How every ViraLoop silo and client is put together, from <see cref="ViraLoopOptions"/>.</summary>
public static class SiloHosting
{
    /// <summary>
    /// Configures an Orleans silo: clustering, grain storage, reminders, streams, GPU placement and silo metadata,
    /// activity propagation and timeouts. <paramref name="extraRoles"/> adds roles the host itself implies (GpuSilo: gpu).
    /// Embedded mode's single silo is also a GPU silo.
    /// </summary>
    public static ISiloBuilder UseViraLoop(this ISiloBuilder silo, ViraLoopOptions options, params string[] extraRoles)
    {
        options.Validate();
        var roles = options.RoleList.Concat(extraRoles).Concat(options.IsCluster ? [] : [SiloMetadataKeys.GpuRole])
            .Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        var isGpu = roles.Contains(SiloMetadataKeys.GpuRole, StringComparer.OrdinalIgnoreCase);

        silo.Configure<ClusterOptions>(o => { o.ClusterId = options.ClusterId; o.ServiceId = options.ServiceId; });
        var siloPort = options.SiloPort == 0 ? FreePort() : options.SiloPort;
        var gatewayPort = options.GatewayPort == 0 ? FreePort() : options.GatewayPort;
        var siloName = options.SiloId ?? $"{Environment.MachineName}-{Environment.ProcessId}";
        silo.Configure<SiloOptions>(o => o.SiloName = siloName);
        silo.Configure<ClusterMembershipOptions>(o =>
        {
            o.ProbeTimeout = TimeSpan.FromSeconds(options.ProbeTimeoutSeconds);
            o.NumMissedProbesLimit = options.MissedProbesLimit;
            // A silo joining after the whole cluster died waits for the dead members' IAmAlive rows to go stale
            // (publish period × missed limit: 30 s × 3 by default, so a restarted cluster took 90 s to start).
            o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(options.IAmAliveSeconds);
            o.NumMissedTableIAmAliveLimit = 3;
        });
        silo.Configure<SiloMessagingOptions>(o =>
        {
            o.ResponseTimeout = TimeSpan.FromSeconds(options.ResponseTimeoutSeconds);
            o.SystemResponseTimeout = TimeSpan.FromSeconds(Math.Max(options.ResponseTimeoutSeconds, 5));
        });

        if (options.IsCluster)
        {
            if (options.Kubernetes)
            {
                // Pod name, pod IP and the cluster ids come from the pod (POD_NAME, POD_IP, ORLEANS_CLUSTER_ID…).
                silo.UseKubernetesHosting();
                silo.Configure<Orleans.Hosting.Kubernetes.KubernetesHostingOptions>(o => o.DeleteDefunctSiloPods = true);
                silo.Configure<EndpointOptions>(o => { o.SiloPort = siloPort; o.GatewayPort = gatewayPort; });
            }
            else
            {
                silo.ConfigureEndpoints(AdvertisedAddress(options), siloPort, gatewayPort, listenOnAnyHostAddress: options.AdvertisedAddress is not null);
            }
            silo.UseAdoNetClustering(o => { o.Invariant = ProviderNames.AdoInvariant; o.ConnectionString = options.Postgres; });
            silo.AddAdoNetGrainStorageAsDefault(o => { o.Invariant = ProviderNames.AdoInvariant; o.ConnectionString = options.Postgres; });
            silo.AddAdoNetGrainStorage(ProviderNames.PubSubStore, o => { o.Invariant = ProviderNames.AdoInvariant; o.ConnectionString = options.Postgres; });
            silo.UseAdoNetReminderService(o => { o.Invariant = ProviderNames.AdoInvariant; o.ConnectionString = options.Postgres; });
            silo.AddRabbitMqStreams(ProviderNames.Streams, o => { StreamQueues(o, options); o.ClientName = siloName; });
        }
        else
        {
            silo.UseLocalhostClustering(siloPort, gatewayPort, serviceId: options.ServiceId, clusterId: options.ClusterId);
            var db = Path.GetFullPath(options.Database);
            silo.AddSqliteGrainStorageAsDefault(o => o.DatabasePath = db);
            silo.AddSqliteGrainStorage(ProviderNames.PubSubStore, o => o.DatabasePath = db);
            silo.UseSqliteReminderService(o => o.DatabasePath = db);
            silo.AddMemoryStreams(ProviderNames.Streams, streams => streams.ConfigurePullingAgent(agent => agent.Configure(o =>
                o.GetQueueMsgsTimerPeriod = TimeSpan.FromMilliseconds(Math.Clamp(options.StreamPollMilliseconds, 5, 1000)))));
        }

        var metadata = new Dictionary<string, string> { [SiloMetadataKeys.Role] = string.Join(',', roles) };
        if (isGpu)
        {
            metadata[SiloMetadataKeys.GpuSlots] = options.GpuSlots.ToString(System.Globalization.CultureInfo.InvariantCulture);
            options.GpuDevice ??= GpuDetector.Detect() ?? "cpu";
            metadata[SiloMetadataKeys.GpuDevice] = options.GpuDevice;
        }
        silo.UseSiloMetadata(metadata);
        if (options.TracingEnabled) silo.AddActivityPropagation();
        silo.AddPlacementDirector<GpuPlacementStrategy, GpuPlacementDirector>();
        silo.Services.AddSingleton(options);
        silo.Services.AddSingleton<LocalGpuLoad>();
        silo.Services.AddMediaMessageSerializer();
        // Grain state in Orleans' own version-tolerant format ([GenerateSerializer] types; media records as JSON), the same
        // in SQLite and PostgreSQL.
        silo.Services.AddSingleton<Orleans.Storage.IGrainStorageSerializer, Orleans.Storage.OrleansGrainStorageSerializer>();
        silo.Services.AddViraLoopPipeline(options, isGpu);
        silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = TimeSpan.FromSeconds(Math.Min(60, options.JobReminderSeconds)));
        if (isGpu)
        {
            silo.Services.AddSingleton<IConfigureGrainContextProvider, InferenceActivationCounterProvider>();
            silo.Services.AddHostedService<GpuLoadPublisher>();
        }
        return silo;
    }

    /// <summary>Configures a client of a cluster (cluster mode only: an embedded silo gives its own client).</summary>
    public static IClientBuilder UseViraLoop(this IClientBuilder client, ViraLoopOptions options)
    {
        options.Validate();
        client.Configure<ClusterOptions>(o => { o.ClusterId = options.ClusterId; o.ServiceId = options.ServiceId; });
        client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(options.ResponseTimeoutSeconds));
        client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(5));
        if (options.IsCluster)
        {
            client.UseAdoNetClustering(o => { o.Invariant = ProviderNames.AdoInvariant; o.ConnectionString = options.Postgres; });
            client.AddRabbitMqStreams(ProviderNames.Streams, o => { StreamQueues(o, options); o.ClientName = $"client-{Environment.MachineName}-{Environment.ProcessId}"; });
        }
        else
        {
            client.UseLocalhostClustering(options.GatewayPort, options.ServiceId, options.ClusterId);
            client.AddMemoryStreams(ProviderNames.Streams);
        }
        if (options.TracingEnabled) client.AddActivityPropagation();
        client.Services.AddMediaMessageSerializer();
        return client;
    }

    /// <summary>Silos and clients of one cluster must agree on the stream queues.</summary>
    private static void StreamQueues(RabbitMqStreamOptions o, ViraLoopOptions options)
    {
        o.ConnectionString = options.RabbitMq!;
        o.QueueCount = options.StreamQueues;
        o.QueuePrefix = options.StreamQueuePrefix;
        o.GetQueueMessagesPeriod = TimeSpan.FromMilliseconds(Math.Clamp(options.StreamPollMilliseconds, 5, 1000));
    }

    private static IPAddress AdvertisedAddress(ViraLoopOptions options)
    {
        if (options.AdvertisedAddress is { Length: > 0 } a)
        {
            if (IPAddress.TryParse(a, out var ip)) return ip;
            var resolved = Dns.GetHostAddresses(a);
            return resolved.FirstOrDefault(x => x.AddressFamily == AddressFamily.InterNetwork) ?? resolved.FirstOrDefault()
                ?? throw new InvalidOperationException($"ViraLoop:AdvertisedAddress '{a}' does not resolve to an address.");
        }
        // Silos on several hosts must not all advertise loopback (each would take the others for itself restarted).
        return NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(u => u.Address)
            .FirstOrDefault(x => x.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(x))
            ?? IPAddress.Loopback;
    }

    /// <summary>
    /// A port nobody listens on now (embedded silos and tests), picked below the kernel's range for outgoing
    /// connections (32768+), so a client socket opened meanwhile cannot take it before the silo binds it.
    /// </summary>
    public static int FreePort()
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var port = Random.Shared.Next(20000, 32000);
            try
            {
                using var l = new TcpListener(IPAddress.Loopback, port);
                l.Start();
                return port;
            }
            catch (SocketException) { }
        }
        using var any = new TcpListener(IPAddress.Loopback, 0);
        any.Start();
        return ((IPEndPoint)any.LocalEndpoint).Port;
    }
}
