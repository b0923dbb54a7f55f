using Microsoft.Data.Sqlite;

namespace ViraLoop.Providers.Sqlite;

/// <summary>
/// Opens connections to one SQLite file in WAL mode with a busy timeout. Connections are pooled by
/// Microsoft.Data.Sqlite; each operation opens its own, so callers never share a connection across threads.
/// </summary>
internal sealed class SqliteConnectionFactory
{
    private readonly string _connectionString;
    private readonly int _busyTimeoutMs;
    private readonly SemaphoreSlim _initLock = new(1, 1);
    private volatile bool _initialized;

    public SqliteConnectionFactory(string databasePath, TimeSpan busyTimeout)
    {
        if (string.IsNullOrWhiteSpace(databasePath))
        {
            throw new ArgumentException("DatabasePath must be set.", nameof(databasePath));
        }

        DatabasePath = Path.GetFullPath(databasePath);
        _busyTimeoutMs = (int)Math.Clamp(busyTimeout.TotalMilliseconds, 0, int.MaxValue);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Default,
            Pooling = true,
            // Microsoft.Data.Sqlite retries SQLITE_BUSY for up to the command timeout (seconds).
            DefaultTimeout = Math.Max(1, (int)Math.Ceiling(busyTimeout.TotalSeconds)),
        }.ToString();
    }

    public string DatabasePath { get; }

    /// <summary>Creates the directory and runs <paramref name="schemaSql"/> once per factory.</summary>
    public async Task EnsureInitializedAsync(string schemaSql, CancellationToken cancellationToken)
    {
        if (_initialized)
        {
            return;
        }

        await _initLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_initialized)
            {
                return;
            }

            var directory = Path.GetDirectoryName(DatabasePath);
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }

            await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            await using (var wal = connection.CreateCommand())
            {
                wal.CommandText = "PRAGMA journal_mode=WAL;";
                await wal.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await using (var schema = connection.CreateCommand())
            {
                schema.CommandText = schemaSql;
                await schema.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            _initialized = true;
        }
        finally
        {
            _initLock.Release();
        }
    }

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var pragma = connection.CreateCommand();
            // PRAGMA does not accept bound parameters; the value is an integer we computed ourselves.
            pragma.CommandText = $"PRAGMA busy_timeout = {_busyTimeoutMs}; PRAGMA synchronous = NORMAL;";
            await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
