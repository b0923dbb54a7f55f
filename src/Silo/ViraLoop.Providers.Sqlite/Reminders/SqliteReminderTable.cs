using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Configuration;
using Orleans.Runtime;

namespace ViraLoop.Providers.Sqlite;

/// <summary>
/// Orleans reminder table in one SQLite file. Rows are scoped by the cluster's ServiceId; the ETag is a
/// per-row version that every upsert increments. Ring-range reads use the grain's uniform hash:
/// (begin, end] when begin &lt; end, and the wrap-around (begin, max] ∪ [0, end] otherwise.
/// </summary>
public sealed class SqliteReminderTable : IReminderTable
{
    internal const string SchemaSql = """
        CREATE TABLE IF NOT EXISTS viraloop_reminders (
            service_id    TEXT    NOT NULL,
            grain_id      TEXT    NOT NULL,
            reminder_name TEXT    NOT NULL,
            start_ticks   INTEGER NOT NULL,
            period_ticks  INTEGER NOT NULL,
            grain_hash    INTEGER NOT NULL,
            version       INTEGER NOT NULL,
            PRIMARY KEY (service_id, grain_id, reminder_name)
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS ix_viraloop_reminders_hash ON viraloop_reminders (service_id, grain_hash);
        """;

    private const string Columns = "grain_id, reminder_name, start_ticks, period_ticks, version";

    private readonly SqliteConnectionFactory _connections;
    private readonly string _serviceId;

    public SqliteReminderTable(IOptions<SqliteReminderOptions> options, IOptions<ClusterOptions> clusterOptions)
        : this(options.Value, clusterOptions.Value.ServiceId)
    {
    }

    public SqliteReminderTable(SqliteReminderOptions options, string serviceId)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(serviceId);
        _connections = new SqliteConnectionFactory(options.DatabasePath, options.BusyTimeout);
        _serviceId = serviceId;
    }

    public Task StartAsync(CancellationToken cancellationToken = default)
        => _connections.EnsureInitializedAsync(SchemaSql, cancellationToken);

    public Task Init() => StartAsync();

    public Task<ReminderTableData> ReadRows(GrainId grainId)
        => QueryAsync(
            $"SELECT {Columns} FROM viraloop_reminders WHERE service_id = $service AND grain_id = $grain;",
            c => c.Parameters.AddWithValue("$grain", grainId.ToString()));

    public Task<ReminderTableData> ReadRows(uint begin, uint end)
    {
        var sql = begin < end
            ? $"SELECT {Columns} FROM viraloop_reminders WHERE service_id = $service AND grain_hash > $begin AND grain_hash <= $end;"
            : $"SELECT {Columns} FROM viraloop_reminders WHERE service_id = $service AND (grain_hash > $begin OR grain_hash <= $end);";
        return QueryAsync(sql, c =>
        {
            // Hashes are stored as unsigned values in a 64-bit integer column, so ordering is unsigned.
            c.Parameters.AddWithValue("$begin", (long)begin);
            c.Parameters.AddWithValue("$end", (long)end);
        });
    }

    public async Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName)
    {
        var data = await QueryAsync(
            $"SELECT {Columns} FROM viraloop_reminders WHERE service_id = $service AND grain_id = $grain AND reminder_name = $reminder;",
            c =>
            {
                c.Parameters.AddWithValue("$grain", grainId.ToString());
                c.Parameters.AddWithValue("$reminder", reminderName);
            }).ConfigureAwait(false);
        return data.Reminders.FirstOrDefault();
    }

    public async Task<string?> UpsertRow(ReminderEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await StartAsync().ConfigureAwait(false);
        var startUtc = entry.StartAt.Kind switch
        {
            DateTimeKind.Utc => entry.StartAt,
            DateTimeKind.Local => entry.StartAt.ToUniversalTime(),
            _ => DateTime.SpecifyKind(entry.StartAt, DateTimeKind.Utc),
        };

        await using var connection = await _connections.OpenAsync(CancellationToken.None).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO viraloop_reminders (service_id, grain_id, reminder_name, start_ticks, period_ticks, grain_hash, version)
            VALUES ($service, $grain, $reminder, $start, $period, $hash, 1)
            ON CONFLICT (service_id, grain_id, reminder_name) DO UPDATE SET
                start_ticks = excluded.start_ticks,
                period_ticks = excluded.period_ticks,
                grain_hash = excluded.grain_hash,
                version = viraloop_reminders.version + 1
            RETURNING version;
            """;
        command.Parameters.AddWithValue("$service", _serviceId);
        command.Parameters.AddWithValue("$grain", entry.GrainId.ToString());
        command.Parameters.AddWithValue("$reminder", entry.ReminderName);
        command.Parameters.AddWithValue("$start", startUtc.Ticks);
        command.Parameters.AddWithValue("$period", entry.Period.Ticks);
        command.Parameters.AddWithValue("$hash", (long)entry.GrainId.GetUniformHashCode());
        var version = Convert.ToInt64(await command.ExecuteScalarAsync().ConfigureAwait(false), CultureInfo.InvariantCulture);
        var etag = version.ToString(CultureInfo.InvariantCulture);
        entry.ETag = etag;
        return etag;
    }

    public async Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag)
    {
        if (!long.TryParse(eTag, NumberStyles.None, CultureInfo.InvariantCulture, out var version))
        {
            return false;
        }

        await StartAsync().ConfigureAwait(false);
        await using var connection = await _connections.OpenAsync(CancellationToken.None).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM viraloop_reminders WHERE service_id = $service AND grain_id = $grain AND reminder_name = $reminder AND version = $version;";
        command.Parameters.AddWithValue("$service", _serviceId);
        command.Parameters.AddWithValue("$grain", grainId.ToString());
        command.Parameters.AddWithValue("$reminder", reminderName);
        command.Parameters.AddWithValue("$version", version);
        return await command.ExecuteNonQueryAsync().ConfigureAwait(false) == 1;
    }

    public async Task TestOnlyClearTable()
    {
        await StartAsync().ConfigureAwait(false);
        await using var connection = await _connections.OpenAsync(CancellationToken.None).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM viraloop_reminders WHERE service_id = $service;";
        command.Parameters.AddWithValue("$service", _serviceId);
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    private async Task<ReminderTableData> QueryAsync(string sql, Action<SqliteCommand> bind)
    {
        await StartAsync().ConfigureAwait(false);
        await using var connection = await _connections.OpenAsync(CancellationToken.None).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$service", _serviceId);
        bind(command);

        var entries = new List<ReminderEntry>();
        await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        while (await reader.ReadAsync().ConfigureAwait(false))
        {
            entries.Add(new ReminderEntry
            {
                GrainId = GrainId.Parse(reader.GetString(0)),
                ReminderName = reader.GetString(1),
                StartAt = new DateTime(reader.GetInt64(2), DateTimeKind.Utc),
                Period = TimeSpan.FromTicks(reader.GetInt64(3)),
                ETag = reader.GetInt64(4).ToString(CultureInfo.InvariantCulture),
            });
        }

        return new ReminderTableData(entries);
    }
}
