using System.Data.Common;
using Npgsql;
using ViraLoop.Runtime.Hosting;
using ViraLoop.Runtime.Storage;

namespace ViraLoop.Runtime.PostgreSql;

/// <summary>Cluster mode's store: PostgreSQL, shared by every silo; writes are fenced by version (ETag).</summary>
public sealed class PostgresRuntimeStore(string connectionString) : SqlRuntimeStore, IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource = NpgsqlDataSource.Create(connectionString);

    protected override async ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    protected override IEnumerable<string> SchemaStatements =>
    [
        // Several silos start at once: serialise schema creation.
        "SELECT pg_advisory_xact_lock(7418501);\n" + CommonSchema("BIGINT", "TEXT", "BIGSERIAL PRIMARY KEY"),
    ];

    public override async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        await using var c = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await c.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var sql in SchemaStatements)
        {
            await using var cmd = new NpgsqlCommand(sql, c, tx);
            await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}

public static class PostgresSiloBuilderExtensions
{
    public static SiloBuilder UsePostgres(this SiloBuilder builder, string connectionString) =>
        builder.UseStore(() => new PostgresRuntimeStore(connectionString));
}
