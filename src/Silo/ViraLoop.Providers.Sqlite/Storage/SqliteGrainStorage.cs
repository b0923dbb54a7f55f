using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans;
using Orleans.Runtime;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace ViraLoop.Providers.Sqlite;

/// <summary>
/// Grain storage in one SQLite file (embedded mode). Rows are keyed by provider name, state name
/// (grain type) and the string form of the <see cref="GrainId"/>; every successful write stores a new
/// unique ETag, and a write or clear whose ETag does not match the stored one throws
/// <see cref="InconsistentStateException"/>. Clearing deletes the row.
/// </summary>
public sealed class SqliteGrainStorage : IGrainStorage
{
    internal const string SchemaSql = """
        CREATE TABLE IF NOT EXISTS viraloop_grain_state (
            storage_name TEXT NOT NULL,
            grain_type   TEXT NOT NULL,
            grain_id     TEXT NOT NULL,
            etag         TEXT NOT NULL,
            payload      BLOB NOT NULL,
            modified_utc TEXT NOT NULL,
            PRIMARY KEY (storage_name, grain_type, grain_id)
        ) WITHOUT ROWID;
        """;

    private const string KeyFilter = "storage_name = $name AND grain_type = $type AND grain_id = $id";

    private readonly string _name;
    private readonly SqliteConnectionFactory _connections;
    private readonly IGrainStorageSerializer _serializer;
    private readonly IActivatorProvider _activatorProvider;
    private readonly ILogger _logger;

    public SqliteGrainStorage(
        string name,
        SqliteGrainStorageOptions options,
        IActivatorProvider activatorProvider,
        ILogger<SqliteGrainStorage>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(activatorProvider);
        _serializer = options.GrainStorageSerializer
            ?? throw new ArgumentException($"{nameof(SqliteGrainStorageOptions.GrainStorageSerializer)} is not set for SQLite grain storage '{name}'.", nameof(options));
        _name = name;
        _connections = new SqliteConnectionFactory(options.DatabasePath, options.BusyTimeout);
        _activatorProvider = activatorProvider;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Provider name the rows are stored under.</summary>
    public string Name => _name;

    /// <summary>Full path of the SQLite file.</summary>
    public string DatabasePath => _connections.DatabasePath;

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await _connections.EnsureInitializedAsync(SchemaSql, CancellationToken.None).ConfigureAwait(false);
        await using var connection = await _connections.OpenAsync(CancellationToken.None).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT etag, payload FROM viraloop_grain_state WHERE {KeyFilter};";
        AddKey(command, stateName, grainId);

        await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        if (await reader.ReadAsync().ConfigureAwait(false))
        {
            var etag = reader.GetString(0);
            var payload = (byte[])reader.GetValue(1);
            grainState.State = _serializer.Deserialize<T>(new BinaryData(payload)) ?? CreateDefault<T>();
            grainState.ETag = etag;
            grainState.RecordExists = true;
        }
        else
        {
            grainState.State = CreateDefault<T>();
            grainState.ETag = null;
            grainState.RecordExists = false;
        }
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await _connections.EnsureInitializedAsync(SchemaSql, CancellationToken.None).ConfigureAwait(false);
        var payload = _serializer.Serialize(grainState.State).ToArray();
        var newETag = Guid.NewGuid().ToString("N");
        var expected = grainState.ETag;

        await using var connection = await _connections.OpenAsync(CancellationToken.None).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        if (string.IsNullOrEmpty(expected))
        {
            // Insert only: a row that already exists means another writer got there first.
            command.CommandText =
                "INSERT INTO viraloop_grain_state (storage_name, grain_type, grain_id, etag, payload, modified_utc) " +
                "VALUES ($name, $type, $id, $etag, $payload, $now) ON CONFLICT DO NOTHING;";
        }
        else
        {
            command.CommandText =
                "UPDATE viraloop_grain_state SET etag = $etag, payload = $payload, modified_utc = $now " +
                $"WHERE {KeyFilter} AND etag = $expected;";
            command.Parameters.AddWithValue("$expected", expected);
        }

        AddKey(command, stateName, grainId);
        command.Parameters.AddWithValue("$etag", newETag);
        command.Parameters.Add("$payload", SqliteType.Blob).Value = payload;
        command.Parameters.AddWithValue("$now", DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture));

        var changed = await command.ExecuteNonQueryAsync().ConfigureAwait(false);
        if (changed != 1)
        {
            throw await ConflictAsync(connection, "WriteState", stateName, grainId, expected).ConfigureAwait(false);
        }

        grainState.ETag = newETag;
        grainState.RecordExists = true;
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await _connections.EnsureInitializedAsync(SchemaSql, CancellationToken.None).ConfigureAwait(false);
        var expected = grainState.ETag;
        await using var connection = await _connections.OpenAsync(CancellationToken.None).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        if (string.IsNullOrEmpty(expected))
        {
            // Nothing was read: clearing is a no-op if no row exists, a conflict if one does.
            command.CommandText = $"SELECT COUNT(*) FROM viraloop_grain_state WHERE {KeyFilter};";
            AddKey(command, stateName, grainId);
            var count = Convert.ToInt64(await command.ExecuteScalarAsync().ConfigureAwait(false), CultureInfo.InvariantCulture);
            if (count != 0)
            {
                throw await ConflictAsync(connection, "ClearState", stateName, grainId, expected).ConfigureAwait(false);
            }
        }
        else
        {
            command.CommandText = $"DELETE FROM viraloop_grain_state WHERE {KeyFilter} AND etag = $expected;";
            AddKey(command, stateName, grainId);
            command.Parameters.AddWithValue("$expected", expected);
            var changed = await command.ExecuteNonQueryAsync().ConfigureAwait(false);
            if (changed != 1)
            {
                throw await ConflictAsync(connection, "ClearState", stateName, grainId, expected).ConfigureAwait(false);
            }
        }

        grainState.State = CreateDefault<T>();
        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    private void AddKey(SqliteCommand command, string stateName, GrainId grainId)
    {
        command.Parameters.AddWithValue("$name", _name);
        command.Parameters.AddWithValue("$type", stateName);
        command.Parameters.AddWithValue("$id", grainId.ToString());
    }

    private async Task<InconsistentStateException> ConflictAsync(SqliteConnection connection, string operation, string stateName, GrainId grainId, string? expected)
    {
        string? stored = null;
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = $"SELECT etag FROM viraloop_grain_state WHERE {KeyFilter};";
            AddKey(command, stateName, grainId);
            stored = await command.ExecuteScalarAsync().ConfigureAwait(false) as string;
        }

        var message = $"Version conflict ({operation}): Provider={_name} StateName={stateName} GrainId={grainId} ETag={expected ?? "<null>"} StoredETag={stored ?? "<none>"}.";
        _logger.LogDebug("{Message}", message);
        return new InconsistentStateException(message, stored ?? string.Empty, expected ?? string.Empty);
    }

    private T CreateDefault<T>() => _activatorProvider.GetActivator<T>().Create();
}
