using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Storage;

namespace ViraLoop.Providers.Tests;

internal sealed class GrainState<T>(T state) : IGrainState<T>
{
    [System.Diagnostics.CodeAnalysis.AllowNull]
    public T State { get; set; } = state;
    public string? ETag { get; set; }
    public bool RecordExists { get; set; }
}

internal static class TestSupport
{
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static string TempDirectory()
    {
        var path = Path.Combine(Path.GetTempPath(), "viraloop-providers-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>An in-process silo host on loopback with non-default ports; the test assembly's grains are registered.</summary>
    public static IHost BuildSilo(string serviceId, string clusterId, Action<ISiloBuilder> configure, bool localhostClustering)
    {
        var siloPort = FreePort();
        var gatewayPort = FreePort();
        return new HostBuilder()
            .UseOrleans(silo =>
            {
                if (localhostClustering)
                {
                    silo.UseLocalhostClustering(siloPort, gatewayPort, null, serviceId, clusterId);
                }
                else
                {
                    silo.Configure<ClusterOptions>(o =>
                    {
                        o.ServiceId = serviceId;
                        o.ClusterId = clusterId;
                    });
                    silo.ConfigureEndpoints(IPAddress.Loopback, siloPort, gatewayPort);
                }

                silo.Services.AddSerializer(s => s.AddAssembly(typeof(ProviderTestGrain).Assembly));
                silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
                configure(silo);
            })
            .ConfigureLogging(l => l.SetMinimumLevel(LogLevel.Warning))
            .Build();
    }

    /// <summary>A service provider with Orleans' serializer for this assembly's types, for driving providers directly.</summary>
    public static ServiceCollection SerializerServices()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSerializer(s => s.AddAssembly(typeof(ProviderTestGrain).Assembly));
        services.AddSingleton<IGrainStorageSerializer, OrleansGrainStorageSerializer>();
        return services;
    }
}

/// <summary>A fresh PostgreSQL database created from VIRALOOP_POSTGRES and dropped on dispose.</summary>
public sealed class PostgresDatabase : IAsyncDisposable
{
    public const string EnvironmentVariable = "VIRALOOP_POSTGRES";

    private readonly string _adminConnectionString;

    private PostgresDatabase(string adminConnectionString, string name, string connectionString)
    {
        _adminConnectionString = adminConnectionString;
        Name = name;
        ConnectionString = connectionString;
    }

    public string Name { get; }
    public string ConnectionString { get; }

    public static async Task<PostgresDatabase> CreateAsync()
    {
        var admin = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(admin))
        {
            throw new InvalidOperationException(
                $"{EnvironmentVariable} is not set: it must hold an Npgsql connection string to an admin database of a " +
                "PostgreSQL 15 server (scripts/test.sh sets it; locally `source /tmp/vl-servers.env`).");
        }

        var name = "vl_" + Guid.NewGuid().ToString("N");
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            // A database name cannot be a bound parameter; it is generated here from a Guid.
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name};", connection);
            await command.ExecuteNonQueryAsync();
        }

        var builder = new NpgsqlConnectionStringBuilder(admin) { Database = name };
        return new PostgresDatabase(admin, name, builder.ConnectionString);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_adminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {Name} WITH (FORCE);", connection);
        await command.ExecuteNonQueryAsync();
    }
}

internal static class Wait
{
    /// <summary>Polls a condition until it holds, failing after the timeout.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {timeout} waiting for {what}.");
            }

            await Task.Delay(100);
        }
    }
}
