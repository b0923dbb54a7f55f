using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans;
using Orleans.Hosting;
using Orleans.Runtime;
using ViraLoop.Providers.Sqlite;
using Xunit;

namespace ViraLoop.Providers.Tests;

/// <summary>Embedded mode end to end: one in-process silo on a SQLite file, stopped and started again.</summary>
public sealed class SqliteSiloTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly string _directory = TestSupport.TempDirectory();

    private IHost NewSilo(string databasePath) => TestSupport.BuildSilo(
        serviceId: "viraloop-sqlite-tests",
        clusterId: "embedded",
        silo => silo
            .AddSqliteGrainStorageAsDefault(o => o.DatabasePath = databasePath)
            .UseSqliteReminderService(o => o.DatabasePath = databasePath),
        localhostClustering: true);

    [Fact]
    public async Task State_and_reminders_survive_a_silo_restart_on_the_same_file()
    {
        var databasePath = Path.Combine(_directory, "silo", "viraloop.db");
        var key = "job-" + Guid.NewGuid().ToString("N");

        using (var first = NewSilo(databasePath))
        {
            await first.StartAsync().WaitAsync(Timeout);
            var grain = first.Services.GetRequiredService<IGrainFactory>().GetGrain<IProviderTestGrain>(key);
            Assert.False(await grain.Exists());
            await grain.SetValue(42, "before restart");

            // A reminder registered here fires, and its row is in the SQLite table.
            await grain.StartReminder("heartbeat", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));
            await ReminderProbe.WaitAsync(key, "heartbeat", Timeout);
            var table = first.Services.GetRequiredService<IReminderTable>();
            Assert.IsType<SqliteReminderTable>(table);
            Assert.NotNull(await table.ReadRow(grain.GetGrainId(), "heartbeat"));

            await first.StopAsync().WaitAsync(Timeout);
        }

        SqliteConnection.ClearAllPools();
        ReminderProbe.Reset(key, "heartbeat");

        using (var second = NewSilo(databasePath))
        {
            await second.StartAsync().WaitAsync(Timeout);
            var grain = second.Services.GetRequiredService<IGrainFactory>().GetGrain<IProviderTestGrain>(key);

            var state = await grain.GetValue();
            Assert.True(await grain.Exists());
            Assert.Equal(42, state.Value);
            Assert.Equal("before restart", state.Note);

            // The reminder was stored, not held in memory: the new silo fires it without re-registration.
            await ReminderProbe.WaitAsync(key, "heartbeat", Timeout);

            await grain.StopReminder("heartbeat");
            await grain.Clear();
            Assert.False(await grain.Exists());
            Assert.Equal(0, (await grain.GetValue()).Value);
            await second.StopAsync().WaitAsync(Timeout);
        }
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
