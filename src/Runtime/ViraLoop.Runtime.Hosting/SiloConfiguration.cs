using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ViraLoop.Runtime.Hosting;
using ViraLoop.Runtime.PostgreSql;
using ViraLoop.Runtime.RabbitMQ;
using ViraLoop.Runtime.Sqlite;

namespace ViraLoop.Runtime.Configuration;

/// <summary>
/// Reads the <c>ViraLoop</c> configuration section (environment: <c>ViraLoop__Mode</c>, …) into a silo.
/// Knobs: Mode (embedded|cluster), SiloId, Roles, Database (SQLite path, embedded), RabbitMq (URI),
/// Postgres (connection string), RabbitMqManagement (management API URL, for queue depths), Partitions, Prefetch,
/// HeartbeatSeconds, CallTimeoutSeconds.
/// </summary>
public static class SiloConfiguration
{
    public static SiloBuilder ApplyConfiguration(this SiloBuilder builder, IConfiguration configuration, params string[] extraRoles)
    {
        var section = configuration.GetSection("ViraLoop");
        string? Get(string key) => section[key];
        double Num(string key, double fallback) => double.TryParse(Get(key), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : fallback;

        builder.Configure(o =>
        {
            if (Get("SiloId") is { Length: > 0 } id) o.SiloId = id;
            foreach (var r in (Get("Roles") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)) o.Roles.Add(r);
            foreach (var r in extraRoles) o.Roles.Add(r);
            o.HeartbeatInterval = TimeSpan.FromSeconds(Num("HeartbeatSeconds", 5));
            o.CallTimeout = TimeSpan.FromSeconds(Num("CallTimeoutSeconds", 30));
            if (Get("Address") is { Length: > 0 } address) o.Address = address;
        });
        var mode = (Get("Mode") ?? "embedded").ToLowerInvariant();
        switch (mode)
        {
            case "embedded":
                builder.UseEmbedded(Get("Database") ?? Path.Combine(".viraloop", "state.db"));
                break;
            case "cluster":
                var rabbit = Get("RabbitMq") ?? throw new InvalidOperationException("ViraLoop:RabbitMq (ViraLoop__RabbitMq) is required in cluster mode.");
                var pg = Get("Postgres") ?? throw new InvalidOperationException("ViraLoop:Postgres (ViraLoop__Postgres) is required in cluster mode.");
                builder.UseRabbitMq(rabbit, o =>
                {
                    o.Partitions = (int)Num("Partitions", 8);
                    o.Prefetch = (ushort)Num("Prefetch", 32);
                    o.Heartbeat = TimeSpan.FromSeconds(Num("HeartbeatSeconds", 5));
                }).UsePostgres(pg);
                break;
            default:
                throw new InvalidOperationException($"ViraLoop:Mode must be 'embedded' or 'cluster', not '{mode}'.");
        }
        return builder;
    }

    /// <summary>Hosts a configured silo in the generic host.</summary>
    public static IServiceCollection AddConfiguredSilo(this IServiceCollection services, IConfiguration configuration,
        Action<SiloBuilder> grains, params string[] extraRoles)
    {
        // Queue depths for the dashboard, when the broker's management API is configured (ViraLoop:RabbitMqManagement).
        if (configuration.GetSection("ViraLoop")["RabbitMqManagement"] is { Length: > 0 } management)
            services.AddSingleton(RabbitMqManagementClient.Create(management));
        services.AddTracingFromConfiguration(configuration, extraRoles.Contains("gpu") ? "viraloop-gpu-silo" : "viraloop-silo");
        return services.AddViraLoopSilo(b =>
        {
            grains(b);
            b.ApplyConfiguration(configuration, extraRoles);
        });
    }
}
