using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Orleans;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime;
using Orleans.Storage;
using ViraLoop.Providers.PostgreSql;
using Xunit;

namespace ViraLoop.Providers.Tests;

/// <summary>Cluster mode: Orleans' own ADO.NET providers (invariant Npgsql) on our migrated schema.</summary>
public sealed class PostgresSiloTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    // The silos' sessions run in a time zone far from UTC, so a timestamp bound or read without its
    // zone would show up as a shifted reminder start or heartbeat.
    private static string InShiftedTimeZone(string connectionString)
        => new NpgsqlConnectionStringBuilder(connectionString) { Timezone = "Asia/Kolkata" }.ConnectionString;

    private static IHost NewSilo(string databaseConnectionString, string clusterId)
    {
        var connectionString = InShiftedTimeZone(databaseConnectionString);
        return TestSupport.BuildSilo(
        serviceId: "viraloop-pg-tests",
        clusterId: clusterId,
        silo => silo
            .UseAdoNetClustering(o =>
            {
                o.Invariant = PostgresSchema.Invariant;
                o.ConnectionString = connectionString;
            })
            .AddAdoNetGrainStorage("Default", o =>
            {
                o.Invariant = PostgresSchema.Invariant;
                o.ConnectionString = connectionString;
            })
            .UseAdoNetReminderService(o =>
            {
                o.Invariant = PostgresSchema.Invariant;
                o.ConnectionString = connectionString;
            }),
        localhostClustering: false);
    }

    private static async Task<double> OldestHeartbeatAgeSecondsAsync(string connectionString, string clusterId)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT max(abs(extract(epoch FROM now() - iamalive_time)))::float8 FROM vl_membership WHERE deployment_id = @cluster AND status = 3;",
            connection);
        command.Parameters.AddWithValue("cluster", clusterId);
        return (double)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<List<(string Address, int Port, int Status)>> MembersAsync(string connectionString, string clusterId)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT address, port, status FROM vl_membership WHERE deployment_id = @cluster;", connection);
        command.Parameters.AddWithValue("cluster", clusterId);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(string, int, int)>();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetString(0), reader.GetInt32(1), reader.GetInt32(2)));
        }

        return rows;
    }

    [Fact]
    public async Task Silos_join_persist_state_fire_reminders_and_detect_conflicts_on_the_migrated_schema()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        await PostgresSchema.MigrateAsync(database.ConnectionString);
        const string clusterId = "pg-cluster";
        const int active = (int)SiloStatus.Active;
        var key = "job-" + Guid.NewGuid().ToString("N");

        using (var first = NewSilo(database.ConnectionString, clusterId))
        {
            await first.StartAsync().WaitAsync(Timeout);
            var firstAddress = first.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;

            // The silo joined through our membership queries.
            var members = await MembersAsync(database.ConnectionString, clusterId);
            Assert.Contains(members, m => m.Port == firstAddress.Endpoint.Port && m.Status == active);
            Assert.InRange(await OldestHeartbeatAgeSecondsAsync(database.ConnectionString, clusterId), 0, 120);

            var grain = first.Services.GetRequiredService<IGrainFactory>().GetGrain<IProviderTestGrain>(key);
            Assert.False(await grain.Exists());
            await grain.SetValue(7, "first");
            await grain.SetValue(8, "second"); // an update with the ETag of the first write

            // ETag conflicts surface from our WriteToStorageKey/ClearStorageKey as InconsistentStateException.
            var storage = first.Services.GetRequiredKeyedService<IGrainStorage>("Default");
            var grainId = grain.GetGrainId();
            var stale = new GrainState<CounterState>(new CounterState());
            await storage.ReadStateAsync("counter", grainId, stale);
            Assert.True(stale.RecordExists);
            Assert.Equal(8, stale.State.Value);
            var current = new GrainState<CounterState>(new CounterState()) { ETag = stale.ETag, RecordExists = true };
            current.State.Value = 9;
            await storage.WriteStateAsync("counter", grainId, current);
            Assert.NotEqual(stale.ETag, current.ETag);
            await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("counter", grainId, stale));
            await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync("counter", grainId, stale));
            var blind = new GrainState<CounterState>(new CounterState { Value = 1 });
            await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("counter", grainId, blind));
            // Put the grain's own view back in line with storage.
            current.State.Value = 8;
            current.State.Note = "second";
            await storage.WriteStateAsync("counter", grainId, current);

            // A reminder registered through our reminder queries fires.
            await grain.StartReminder("pg-heartbeat", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));
            await ReminderProbe.WaitAsync(key, "pg-heartbeat", Timeout);
            var reminders = first.Services.GetRequiredService<IReminderTable>();
            var row = await reminders.ReadRow(grainId, "pg-heartbeat");
            Assert.NotNull(row);
            Assert.Equal(TimeSpan.FromSeconds(2), row.Period);
            Assert.InRange(row.StartAt, DateTime.UtcNow.AddMinutes(-2), DateTime.UtcNow.AddMinutes(2));
            var ring = await reminders.ReadRows(0u, 0u);
            Assert.Contains(ring.Reminders, r => r.GrainId == grainId);
            await grain.StopReminder("pg-heartbeat");
            Assert.Null(await reminders.ReadRow(grainId, "pg-heartbeat"));

            await first.StopAsync().WaitAsync(Timeout);
            // Graceful shutdown marks the row Dead through UpdateMembershipKey.
            members = await MembersAsync(database.ConnectionString, clusterId);
            Assert.Contains(members, m => m.Port == firstAddress.Endpoint.Port && m.Status == (int)SiloStatus.Dead);
        }

        using (var second = NewSilo(database.ConnectionString, clusterId))
        {
            await second.StartAsync().WaitAsync(Timeout);
            var secondAddress = second.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;
            var members = await MembersAsync(database.ConnectionString, clusterId);
            Assert.Contains(members, m => m.Port == secondAddress.Endpoint.Port && m.Status == active);

            // A silo started afterwards reads the state the first one wrote.
            var grain = second.Services.GetRequiredService<IGrainFactory>().GetGrain<IProviderTestGrain>(key);
            var state = await grain.GetValue();
            Assert.True(await grain.Exists());
            Assert.Equal(8, state.Value);
            Assert.Equal("second", state.Note);

            await grain.Clear();
            Assert.False(await grain.Exists());
            var storage = second.Services.GetRequiredKeyedService<IGrainStorage>("Default");
            var read = new GrainState<CounterState>(new CounterState { Value = 5 });
            await storage.ReadStateAsync("counter", grain.GetGrainId(), read);
            Assert.False(read.RecordExists);
            Assert.Equal(0, read.State.Value);

            // Written again after the clear, through the same grain.
            await grain.SetValue(10, "after clear");
            Assert.True(await grain.Exists());

            await second.StopAsync().WaitAsync(Timeout);
        }
    }

    [Fact]
    public async Task Two_silos_run_side_by_side_and_see_each_other()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        await PostgresSchema.MigrateAsync(database.ConnectionString);
        const string clusterId = "pg-pair";

        using var a = NewSilo(database.ConnectionString, clusterId);
        using var b = NewSilo(database.ConnectionString, clusterId);
        await a.StartAsync().WaitAsync(Timeout);
        await b.StartAsync().WaitAsync(Timeout);

        var members = await MembersAsync(database.ConnectionString, clusterId);
        Assert.Equal(2, members.Count(m => m.Status == (int)SiloStatus.Active));

        // Silo A's view of the cluster (read through MembershipReadAllKey) reaches two active silos.
        var management = a.Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0);
        await Wait.UntilAsync(
            async () => (await management.GetHosts(onlyActive: true)).Count == 2,
            Timeout, "both silos to be active in silo A's membership view");

        // State written through silo A is read through silo B.
        var key = "shared-" + Guid.NewGuid().ToString("N");
        await a.Services.GetRequiredService<IGrainFactory>().GetGrain<IProviderTestGrain>(key).SetValue(123, "from A");
        var storage = b.Services.GetRequiredKeyedService<IGrainStorage>("Default");
        var read = new GrainState<CounterState>(new CounterState());
        await storage.ReadStateAsync("counter", b.Services.GetRequiredService<IGrainFactory>().GetGrain<IProviderTestGrain>(key).GetGrainId(), read);
        Assert.Equal(123, read.State.Value);

        await b.StopAsync().WaitAsync(Timeout);
        await a.StopAsync().WaitAsync(Timeout);
    }
}
