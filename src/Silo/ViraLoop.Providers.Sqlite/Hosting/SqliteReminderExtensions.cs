using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Hosting;
using Orleans.Runtime;

namespace ViraLoop.Providers.Sqlite;

/// <summary>Registration of <see cref="SqliteReminderTable"/> as the silo's reminder table.</summary>
public static class SqliteReminderExtensions
{
    /// <summary>Enables reminders and stores them in a SQLite file.</summary>
    public static ISiloBuilder UseSqliteReminderService(this ISiloBuilder builder, Action<SqliteReminderOptions> configure)
        => builder.ConfigureServices(services => services.UseSqliteReminderService(configure));

    /// <summary>Enables reminders and stores them in a SQLite file.</summary>
    public static IServiceCollection UseSqliteReminderService(this IServiceCollection services, Action<SqliteReminderOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        services.AddReminders();
        services.AddSingleton<IReminderTable>(sp => new SqliteReminderTable(
            sp.GetRequiredService<IOptions<SqliteReminderOptions>>(),
            sp.GetRequiredService<IOptions<Orleans.Configuration.ClusterOptions>>()));
        services.AddOptions<SqliteReminderOptions>().Configure(configure);
        services.AddSingleton<IConfigurationValidator, SqliteReminderOptionsValidator>();
        return services;
    }
}

internal sealed class SqliteReminderOptionsValidator(IOptions<SqliteReminderOptions> options) : IConfigurationValidator
{
    public void ValidateConfiguration()
    {
        if (string.IsNullOrWhiteSpace(options.Value.DatabasePath))
        {
            throw new OrleansConfigurationException($"SQLite reminders: {nameof(SqliteReminderOptions.DatabasePath)} is required.");
        }
    }
}
