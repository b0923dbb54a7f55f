using Npgsql;
using ViraLoop.Providers.PostgreSql;
using Xunit;

namespace ViraLoop.Providers.Tests;

public sealed class PostgresSchemaTests
{
    /// <summary>Every query key Orleans 10.4.2's three ADO.NET providers read from OrleansQuery.</summary>
    public static readonly string[] RequiredQueryKeys =
    [
        // Clustering
        "InsertMembershipVersionKey", "UpdateIAmAlivetimeKey", "InsertMembershipKey", "UpdateMembershipKey",
        "MembershipReadRowKey", "MembershipReadAllKey", "DeleteMembershipTableEntriesKey", "GatewaysQueryKey",
        "CleanupDefunctSiloEntriesKey",
        // Persistence
        "ReadFromStorageKey", "WriteToStorageKey", "ClearStorageKey", "DeleteStorageKey",
        // Reminders
        "UpsertReminderRowKey", "ReadReminderRowsKey", "ReadRangeRows1Key", "ReadRangeRows2Key",
        "ReadReminderRowKey", "DeleteReminderRowKey", "DeleteReminderRowsKey",
    ];

    [Fact]
    public async Task Migration_is_idempotent_and_safe_to_run_concurrently()
    {
        await using var database = await PostgresDatabase.CreateAsync();

        // Four processes' worth of concurrent migrations on an empty database, then two more in sequence.
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => PostgresSchema.MigrateAsync(database.ConnectionString))));
        await PostgresSchema.MigrateAsync(database.ConnectionString);
        await PostgresSchema.MigrateAsync(database.ConnectionString);

        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();

        await using (var versions = new NpgsqlCommand("SELECT version, count(*) FROM viraloop_schema_version GROUP BY version ORDER BY version;", connection))
        await using (var reader = await versions.ExecuteReaderAsync())
        {
            var rows = new List<(int Version, long Count)>();
            while (await reader.ReadAsync())
            {
                rows.Add((reader.GetInt32(0), reader.GetInt64(1)));
            }

            Assert.Equal(PostgresSchema.Migrations.Select(m => m.Version), rows.Select(r => r.Version));
            Assert.All(rows, r => Assert.Equal(1, r.Count));
        }

        var keys = new HashSet<string>();
        await using (var queries = new NpgsqlCommand("SELECT QueryKey, QueryText FROM OrleansQuery;", connection))
        await using (var reader = await queries.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                keys.Add(reader.GetString(0));
                Assert.False(string.IsNullOrWhiteSpace(reader.GetString(1)));
            }
        }

        Assert.Empty(RequiredQueryKeys.Except(keys));
    }

    [Fact]
    public async Task Query_texts_are_upserted_so_a_later_migration_can_change_them()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        await PostgresSchema.MigrateAsync(database.ConnectionString);

        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        // Simulate an older text, forget that migration 1 ran, and migrate again.
        await using (var tamper = new NpgsqlCommand(
            "UPDATE OrleansQuery SET QueryText = 'old' WHERE QueryKey = 'GatewaysQueryKey'; DELETE FROM viraloop_schema_version;", connection))
        {
            await tamper.ExecuteNonQueryAsync();
        }

        await PostgresSchema.MigrateAsync(database.ConnectionString);

        await using var read = new NpgsqlCommand("SELECT QueryText FROM OrleansQuery WHERE QueryKey = 'GatewaysQueryKey';", connection);
        var text = (string?)await read.ExecuteScalarAsync();
        Assert.NotEqual("old", text);
        Assert.Contains("@DeploymentId", text);
    }

    [Fact]
    public async Task Postgres_environment_variable_is_set()
    {
        var saved = Environment.GetEnvironmentVariable(PostgresDatabase.EnvironmentVariable);
        Assert.False(string.IsNullOrWhiteSpace(saved), $"{PostgresDatabase.EnvironmentVariable} must be set for the PostgreSQL tests.");
    }
}
