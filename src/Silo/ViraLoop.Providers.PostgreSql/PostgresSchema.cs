using System.Globalization;
using System.Reflection;
using Npgsql;

namespace ViraLoop.Providers.PostgreSql;

/// <summary>
/// Applies ViraLoop's PostgreSQL schema for Orleans' ADO.NET providers (clustering, persistence,
/// reminders; invariant <see cref="Invariant"/>). The scripts are embedded resources under Sql/, named
/// <c>NNN_description.sql</c> and applied in order, each at most once, recorded in
/// <c>viraloop_schema_version</c>. Safe to run repeatedly and from several processes at once: the whole
/// migration runs under a session-level advisory lock.
/// </summary>
public static class PostgresSchema
{
    /// <summary>The ADO.NET invariant name to give Orleans' providers.</summary>
    public const string Invariant = "Npgsql";

    /// <summary>Advisory lock key that serialises migrations ("VLSCHEMA" as ASCII).</summary>
    public const long AdvisoryLockKey = 0x564C_5343_4845_4D41;

    private const string ResourceFolder = ".Sql.";

    /// <summary>The migrations this assembly carries, in the order they are applied.</summary>
    public static IReadOnlyList<(int Version, string Name)> Migrations { get; } = LoadMigrationNames();

    /// <summary>Applies every embedded migration not yet recorded in the database.</summary>
    public static async Task MigrateAsync(string connectionString, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct).ConfigureAwait(false);

        await ExecuteAsync(connection, null, "SELECT pg_advisory_lock(@key);", ct, ("key", AdvisoryLockKey)).ConfigureAwait(false);
        try
        {
            await ExecuteAsync(connection, null, """
                CREATE TABLE IF NOT EXISTS viraloop_schema_version
                (
                    version     integer     NOT NULL PRIMARY KEY,
                    name        text        NOT NULL,
                    applied_utc timestamptz NOT NULL DEFAULT now()
                );
                """, ct).ConfigureAwait(false);

            var applied = new HashSet<int>();
            await using (var read = new NpgsqlCommand("SELECT version FROM viraloop_schema_version;", connection))
            await using (var reader = await read.ExecuteReaderAsync(ct).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    applied.Add(reader.GetInt32(0));
                }
            }

            foreach (var (version, name) in Migrations)
            {
                if (applied.Contains(version))
                {
                    continue;
                }

                var sql = ReadScript(name);
                await using var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
                await ExecuteAsync(connection, transaction, sql, ct).ConfigureAwait(false);
                await ExecuteAsync(connection, transaction,
                    "INSERT INTO viraloop_schema_version (version, name) VALUES (@version, @name);", ct,
                    ("version", version), ("name", name)).ConfigureAwait(false);
                await transaction.CommitAsync(ct).ConfigureAwait(false);
            }
        }
        finally
        {
            // Unlock even when cancelled; closing the connection releases it as well, so a broken connection must not
            // replace the error that broke it.
            if (connection.State == System.Data.ConnectionState.Open)
            {
                try
                {
                    await ExecuteAsync(connection, null, "SELECT pg_advisory_unlock(@key);", CancellationToken.None, ("key", AdvisoryLockKey)).ConfigureAwait(false);
                }
                catch (NpgsqlException) { }
            }
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken ct, params (string Name, object Value)[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    private static IReadOnlyList<(int Version, string Name)> LoadMigrationNames()
    {
        var assembly = typeof(PostgresSchema).Assembly;
        var list = new List<(int, string)>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            var index = resource.IndexOf(ResourceFolder, StringComparison.Ordinal);
            if (index < 0 || !resource.EndsWith(".sql", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var fileName = resource[(index + ResourceFolder.Length)..];
            var digits = new string(fileName.TakeWhile(char.IsAsciiDigit).ToArray());
            if (digits.Length == 0)
            {
                throw new InvalidOperationException($"Embedded migration '{fileName}' must start with its version number (e.g. 001_name.sql).");
            }

            list.Add((int.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture), resource));
        }

        list.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        for (var i = 1; i < list.Count; i++)
        {
            if (list[i].Item1 == list[i - 1].Item1)
            {
                throw new InvalidOperationException($"Two embedded migrations share version {list[i].Item1}.");
            }
        }

        return list;
    }

    private static string ReadScript(string resourceName)
    {
        using var stream = typeof(PostgresSchema).Assembly.GetManifestResourceStream(resourceName)
            ?? throw new InvalidOperationException($"Embedded migration '{resourceName}' not found.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
