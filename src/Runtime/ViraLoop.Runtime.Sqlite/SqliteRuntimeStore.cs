using System.Data.Common;
using Microsoft.Data.Sqlite;
using ViraLoop.Runtime.Hosting;
using ViraLoop.Runtime.Storage;

namespace ViraLoop.Runtime.Sqlite;

/// <summary>Embedded mode's store: one SQLite file (WAL), durable across process restarts.</summary>
public sealed class SqliteRuntimeStore : SqlRuntimeStore
{
    private readonly string _connectionString;

    public SqliteRuntimeStore(string path)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = full, Pooling = true, DefaultTimeout = 30, Mode = SqliteOpenMode.ReadWriteCreate,
        }.ToString();
        DatabasePath = full;
    }

    public string DatabasePath { get; }

    protected override async ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var c = new SqliteConnection(_connectionString);
        await c.OpenAsync(cancellationToken).ConfigureAwait(false);
        return c;
    }

    protected override IEnumerable<string> SchemaStatements =>
    [
        "PRAGMA journal_mode=WAL;",
        "PRAGMA synchronous=NORMAL;",
        CommonSchema("INTEGER", "TEXT", "INTEGER PRIMARY KEY AUTOINCREMENT"),
    ];
}

public static class SqliteSiloBuilderExtensions
{
    /// <summary>Grain state, reminders, dead letters and membership in a SQLite file.</summary>
    public static SiloBuilder UseSqlite(this SiloBuilder builder, string path) => builder.UseStore(() => new SqliteRuntimeStore(path));

    /// <summary>Embedded mode: one process, in-process messaging and streams, SQLite state that survives restarts.</summary>
    public static SiloBuilder UseEmbedded(this SiloBuilder builder, string databasePath) =>
        builder.UseInProcessTransport().UseSqlite(databasePath);
}
