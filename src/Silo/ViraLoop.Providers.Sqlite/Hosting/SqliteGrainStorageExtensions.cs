using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans;
using Orleans.Hosting;
using Orleans.Runtime;
using Orleans.Providers;
using Orleans.Runtime.Hosting;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace ViraLoop.Providers.Sqlite;

/// <summary>Registration of <see cref="SqliteGrainStorage"/> in the style of Orleans' own storage providers.</summary>
public static class SqliteGrainStorageExtensions
{
    /// <summary>Adds a named SQLite grain storage provider.</summary>
    public static ISiloBuilder AddSqliteGrainStorage(this ISiloBuilder builder, string name, Action<SqliteGrainStorageOptions> configure)
        => builder.ConfigureServices(services => services.AddSqliteGrainStorage(name, configure));

    /// <summary>Adds SQLite grain storage as the default provider ("Default").</summary>
    public static ISiloBuilder AddSqliteGrainStorageAsDefault(this ISiloBuilder builder, Action<SqliteGrainStorageOptions> configure)
        => builder.AddSqliteGrainStorage(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME, configure);

    /// <summary>Adds SQLite grain storage as the default provider ("Default").</summary>
    public static IServiceCollection AddSqliteGrainStorageAsDefault(this IServiceCollection services, Action<SqliteGrainStorageOptions> configure)
        => services.AddSqliteGrainStorage(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME, configure);

    /// <summary>
    /// Adds a named SQLite grain storage provider: named options, the silo's serializer as the default
    /// payload serializer, and a keyed <see cref="IGrainStorage"/> registration.
    /// </summary>
    public static IServiceCollection AddSqliteGrainStorage(this IServiceCollection services, string name, Action<SqliteGrainStorageOptions> configure)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(configure);

        services.AddOptions<SqliteGrainStorageOptions>(name).Configure(configure);
        services.AddTransient<IPostConfigureOptions<SqliteGrainStorageOptions>, DefaultStorageProviderSerializerOptionsConfigurator<SqliteGrainStorageOptions>>();
        services.AddTransient<IConfigurationValidator>(sp => new SqliteGrainStorageOptionsValidator(
            sp.GetRequiredService<IOptionsMonitor<SqliteGrainStorageOptions>>().Get(name), name));
        return services.AddGrainStorage(name, Create);
    }

    private static SqliteGrainStorage Create(IServiceProvider services, string name)
    {
        var options = services.GetRequiredService<IOptionsMonitor<SqliteGrainStorageOptions>>().Get(name);
        return new SqliteGrainStorage(
            name,
            options,
            services.GetRequiredService<IActivatorProvider>(),
            services.GetService<ILogger<SqliteGrainStorage>>());
    }
}

internal sealed class SqliteGrainStorageOptionsValidator(SqliteGrainStorageOptions options, string name) : IConfigurationValidator
{
    public void ValidateConfiguration()
    {
        if (string.IsNullOrWhiteSpace(options.DatabasePath))
        {
            throw new OrleansConfigurationException($"SQLite grain storage '{name}': {nameof(SqliteGrainStorageOptions.DatabasePath)} is required.");
        }
    }
}
