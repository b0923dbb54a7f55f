using Microsoft.Data.Sqlite;

namespace ViraLoop.Analytics;

/// <summary>
/// Engagement events in a SQLite file, for when ClickHouse is not configured (embedded mode, the CLI, small deployments).
/// Every append is one transaction of INSERT OR IGNORE keyed by event id, so it is durable and idempotent on return;
/// aggregates are computed by the queries (indexed by tenant, experiment, arm and day). Answers as <see cref="ClickHouseStore"/>.
/// </summary>
public sealed class EmbeddedStore : IEngagementStore
{
    private const long DayMs = 86_400_000;

    private const string Schema = """
        CREATE TABLE IF NOT EXISTS engagement_events (
          event_id TEXT NOT NULL PRIMARY KEY,
          tenant TEXT NOT NULL,
          video_id TEXT NOT NULL,
          arm_id TEXT NOT NULL,
          experiment_id TEXT NOT NULL,
          kind INTEGER NOT NULL,
          value REAL NOT NULL,
          value_ms INTEGER NOT NULL,
          ts_ms INTEGER NOT NULL,
          day INTEGER NOT NULL,
          platform TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS engagement_events_arm_day ON engagement_events (tenant, experiment_id, arm_id, day);
        CREATE INDEX IF NOT EXISTS engagement_events_video ON engagement_events (tenant, video_id);
        """;

    private readonly string _connectionString;
    private readonly SemaphoreSlim _writeLock = new(1, 1);

    private EmbeddedStore(string path)
    {
        DatabasePath = Path.GetFullPath(path);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    public string DatabasePath { get; }

    /// <summary>Opens (creating if needed) the SQLite file and its schema.</summary>
    public static async Task<EmbeddedStore> OpenAsync(string path, CancellationToken cancellationToken = default)
    {
        var store = new EmbeddedStore(path);
        var directory = Path.GetDirectoryName(store.DatabasePath);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        await using var connection = await store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL;" + Schema;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return store;
    }

    private async Task<SqliteConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var pragma = connection.CreateCommand();
            pragma.CommandText = "PRAGMA busy_timeout = 30000; PRAGMA synchronous = NORMAL;";
            await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async Task AppendAsync(IReadOnlyList<EngagementEvent> batch, CancellationToken cancellationToken = default)
    {
        EngagementEvent.ValidateBatch(batch);

        if (batch.Count == 0)
        {
            return;
        }

        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = """
                INSERT OR IGNORE INTO engagement_events
                  (event_id, tenant, video_id, arm_id, experiment_id, kind, value, value_ms, ts_ms, day, platform)
                VALUES ($id, $tenant, $video, $arm, $experiment, $kind, $value, $value_ms, $ts_ms, $day, $platform)
                """;
            var id = command.Parameters.Add("$id", SqliteType.Text);
            var tenant = command.Parameters.Add("$tenant", SqliteType.Text);
            var video = command.Parameters.Add("$video", SqliteType.Text);
            var arm = command.Parameters.Add("$arm", SqliteType.Text);
            var experiment = command.Parameters.Add("$experiment", SqliteType.Text);
            var kind = command.Parameters.Add("$kind", SqliteType.Integer);
            var value = command.Parameters.Add("$value", SqliteType.Real);
            var valueMs = command.Parameters.Add("$value_ms", SqliteType.Integer);
            var tsMs = command.Parameters.Add("$ts_ms", SqliteType.Integer);
            var day = command.Parameters.Add("$day", SqliteType.Integer);
            var platform = command.Parameters.Add("$platform", SqliteType.Text);
            command.Prepare();
            foreach (var e in batch)
            {
                var ms = e.Timestamp.ToUnixTimeMilliseconds();
                id.Value = e.EventId;
                tenant.Value = e.Tenant;
                video.Value = e.VideoId;
                arm.Value = e.ArmId;
                experiment.Value = e.ExperimentId;
                kind.Value = (int)e.Kind;
                value.Value = e.Value;
                valueMs.Value = e.ValueMilliseconds;
                tsMs.Value = ms;
                day.Value = ms / DayMs;
                platform.Value = e.Platform;
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Every append is durable when it returns.</summary>
    public Task FlushAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    private const string Counts =
        "COUNT(*), SUM(kind = 1), SUM(kind = 2), SUM(kind = 3), SUM(kind = 4), SUM(kind = 5), SUM(value_ms)";

    public async Task<IReadOnlyList<ArmDay>> GetArmDailyAsync(string tenant, string experimentId, DateOnly? from = null, DateOnly? to = null,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT arm_id, day, {Counts} FROM engagement_events WHERE tenant = $tenant AND experiment_id = $experiment " +
                              "AND day >= $from AND day <= $to GROUP BY arm_id, day";
        command.Parameters.AddWithValue("$tenant", tenant);
        command.Parameters.AddWithValue("$experiment", experimentId);
        command.Parameters.AddWithValue("$from", from is { } f ? DayNumber(f) : long.MinValue);
        command.Parameters.AddWithValue("$to", to is { } t ? DayNumber(t) : long.MaxValue);
        var result = new List<ArmDay>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            result.Add(new ArmDay(reader.GetString(0), DateOnly.FromDateTime(DateTime.UnixEpoch.AddDays(reader.GetInt64(1))),
                reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7),
                reader.GetInt64(8)));
        }

        return result.OrderBy(a => a.ArmId, StringComparer.Ordinal).ThenBy(a => a.Day).ToList();
    }

    private static long DayNumber(DateOnly day) => day.DayNumber - DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber;

    public async Task<IReadOnlyList<VideoTotals>> GetVideoTotalsAsync(string tenant, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT video_id, {Counts} FROM engagement_events WHERE tenant = $tenant GROUP BY video_id";
        command.Parameters.AddWithValue("$tenant", tenant);
        var result = new List<VideoTotals>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            result.Add(new VideoTotals(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4),
                reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7)));
        }

        return result.OrderBy(v => v.VideoId, StringComparer.Ordinal).ToList();
    }

    public async Task<long> CountEventAsync(string eventId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM engagement_events WHERE event_id = $id";
        command.Parameters.AddWithValue("$id", eventId);
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    public async Task<EngagementEvent?> GetEventAsync(string eventId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT event_id, tenant, video_id, arm_id, experiment_id, kind, value, ts_ms, platform FROM engagement_events WHERE event_id = $id";
        command.Parameters.AddWithValue("$id", eventId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return new EngagementEvent(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
            (EngagementKind)reader.GetInt32(5), reader.GetDouble(6), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(7)), reader.GetString(8));
    }

    public ValueTask DisposeAsync()
    {
        _writeLock.Dispose();
        return ValueTask.CompletedTask;
    }
}
