using System.Data.Common;
using System.Globalization;
using Dapper;

namespace ViraLoop.Runtime.Storage;

/// <summary>
/// The runtime's tables over ADO.NET. The SQL is the common subset of PostgreSQL and SQLite
/// (ON CONFLICT, RETURNING); a dialect supplies connections and the schema. Times are Unix ms.
/// </summary>
public abstract class SqlRuntimeStore : IRuntimeStore
{
    protected abstract ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>CREATE TABLE IF NOT EXISTS statements in the dialect.</summary>
    protected abstract IEnumerable<string> SchemaStatements { get; }

    public virtual async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        await using var c = await OpenAsync(cancellationToken);
        foreach (var sql in SchemaStatements)
            await c.ExecuteAsync(new CommandDefinition(sql, cancellationToken: cancellationToken));
    }

    protected static string CommonSchema(string bigint, string text, string identity) => $"""
        CREATE TABLE IF NOT EXISTS vl_grain_state (
            grain_type {text} NOT NULL, grain_key {text} NOT NULL, state_name {text} NOT NULL,
            version {bigint} NOT NULL, data {text} NULL, updated_ms {bigint} NOT NULL,
            PRIMARY KEY (grain_type, grain_key, state_name));
        CREATE TABLE IF NOT EXISTS vl_dead_letters (
            id {identity}, message_id {text} NOT NULL, grain_type {text} NOT NULL, grain_key {text} NOT NULL,
            method {text} NOT NULL, reason {text} NOT NULL, attempts {bigint} NOT NULL, payload {text} NOT NULL, at_ms {bigint} NOT NULL);
        CREATE TABLE IF NOT EXISTS vl_reminders (
            grain_type {text} NOT NULL, grain_key {text} NOT NULL, name {text} NOT NULL,
            due_ms {bigint} NOT NULL, period_ms {bigint} NOT NULL,
            PRIMARY KEY (grain_type, grain_key, name));
        CREATE TABLE IF NOT EXISTS vl_silos (
            silo_id {text} PRIMARY KEY, address {text} NOT NULL, roles {text} NOT NULL,
            started_ms {bigint} NOT NULL, heartbeat_ms {bigint} NOT NULL, status {text} NOT NULL, grain_types {text} NOT NULL DEFAULT '');
        """;

    private static long Ms(DateTimeOffset t) => t.ToUnixTimeMilliseconds();
    private static DateTimeOffset At(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    public async Task<StoredState> ReadAsync(GrainId grain, string stateName, CancellationToken cancellationToken = default)
    {
        await using var c = await OpenAsync(cancellationToken);
        var rows = await c.QueryAsync<(long version, string? data)>(new CommandDefinition(
            "SELECT version, data FROM vl_grain_state WHERE grain_type=@t AND grain_key=@k AND state_name=@n",
            new { t = grain.Type, k = grain.Key, n = stateName }, cancellationToken: cancellationToken));
        foreach (var r in rows) return new StoredState(r.data, r.version.ToString(CultureInfo.InvariantCulture));
        return default;
    }

    public Task<string> WriteAsync(GrainId grain, string stateName, string json, string? expectedEtag, CancellationToken cancellationToken = default) =>
        WriteCoreAsync(grain, stateName, json, expectedEtag, cancellationToken);

    public Task<string> ClearAsync(GrainId grain, string stateName, string? expectedEtag, CancellationToken cancellationToken = default) =>
        WriteCoreAsync(grain, stateName, null, expectedEtag, cancellationToken);

    private async Task<string> WriteCoreAsync(GrainId grain, string stateName, string? json, string? expectedEtag, CancellationToken ct)
    {
        await using var c = await OpenAsync(ct);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        int rows;
        long next;
        if (expectedEtag is null)
        {
            next = 1;
            rows = await c.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO vl_grain_state (grain_type, grain_key, state_name, version, data, updated_ms)
                VALUES (@t, @k, @n, 1, @d, @now) ON CONFLICT DO NOTHING
                """, new { t = grain.Type, k = grain.Key, n = stateName, d = json, now }, cancellationToken: ct));
        }
        else
        {
            if (!long.TryParse(expectedEtag, NumberStyles.None, CultureInfo.InvariantCulture, out var expected))
                throw new InconsistentStateException(grain, stateName, expectedEtag);
            next = expected + 1;
            rows = await c.ExecuteAsync(new CommandDefinition(
                """
                UPDATE vl_grain_state SET version = @next, data = @d, updated_ms = @now
                WHERE grain_type=@t AND grain_key=@k AND state_name=@n AND version=@expected
                """, new { t = grain.Type, k = grain.Key, n = stateName, d = json, now, next, expected }, cancellationToken: ct));
        }
        if (rows != 1) throw new InconsistentStateException(grain, stateName, expectedEtag);
        return next.ToString(CultureInfo.InvariantCulture);
    }

    public async Task AddAsync(DeadLetter l, CancellationToken cancellationToken = default)
    {
        await using var c = await OpenAsync(cancellationToken);
        await c.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO vl_dead_letters (message_id, grain_type, grain_key, method, reason, attempts, payload, at_ms)
            VALUES (@MessageId, @GrainType, @GrainKey, @Method, @Reason, @Attempts, @Payload, @at)
            """, new { l.MessageId, l.GrainType, l.GrainKey, l.Method, l.Reason, l.Attempts, l.Payload, at = Ms(l.At) },
            cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<DeadLetter>> ListAsync(int limit = 100, CancellationToken cancellationToken = default)
    {
        await using var c = await OpenAsync(cancellationToken);
        var rows = await c.QueryAsync<(string m, string t, string k, string me, string r, long a, string p, long at)>(new CommandDefinition(
            "SELECT message_id, grain_type, grain_key, method, reason, attempts, payload, at_ms FROM vl_dead_letters ORDER BY id DESC LIMIT @limit",
            new { limit }, cancellationToken: cancellationToken));
        return rows.Select(r => new DeadLetter(r.m, r.t, r.k, r.me, r.r, (int)r.a, r.p, At(r.at))).ToList();
    }

    public async Task UpsertAsync(ReminderEntry e, CancellationToken cancellationToken = default)
    {
        await using var c = await OpenAsync(cancellationToken);
        await c.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO vl_reminders (grain_type, grain_key, name, due_ms, period_ms) VALUES (@t, @k, @n, @due, @period)
            ON CONFLICT (grain_type, grain_key, name) DO UPDATE SET due_ms = excluded.due_ms, period_ms = excluded.period_ms
            """, new { t = e.GrainType, k = e.GrainKey, n = e.Name, due = Ms(e.DueAt), period = (long)e.Period.TotalMilliseconds },
            cancellationToken: cancellationToken));
    }

    public async Task RemoveAsync(GrainId grain, string name, CancellationToken cancellationToken = default)
    {
        await using var c = await OpenAsync(cancellationToken);
        await c.ExecuteAsync(new CommandDefinition("DELETE FROM vl_reminders WHERE grain_type=@t AND grain_key=@k AND name=@name",
            new { t = grain.Type, k = grain.Key, name }, cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<ReminderEntry>> ListAsync(GrainId grain, CancellationToken cancellationToken = default)
    {
        await using var c = await OpenAsync(cancellationToken);
        var rows = await c.QueryAsync<(string n, long due, long period)>(new CommandDefinition(
            "SELECT name, due_ms, period_ms FROM vl_reminders WHERE grain_type=@t AND grain_key=@k ORDER BY name",
            new { t = grain.Type, k = grain.Key }, cancellationToken: cancellationToken));
        return rows.Select(r => new ReminderEntry(grain.Type, grain.Key, r.n, At(r.due), TimeSpan.FromMilliseconds(r.period))).ToList();
    }

    public async Task<IReadOnlyList<ReminderEntry>> ClaimDueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken = default)
    {
        await using var c = await OpenAsync(cancellationToken);
        var due = (await c.QueryAsync<(string t, string k, string n, long due, long period)>(new CommandDefinition(
            "SELECT grain_type, grain_key, name, due_ms, period_ms FROM vl_reminders WHERE due_ms <= @now ORDER BY due_ms LIMIT @limit",
            new { now = Ms(now), limit }, cancellationToken: cancellationToken))).ToList();
        var won = new List<ReminderEntry>();
        foreach (var r in due)
        {
            // Skip missed ticks: the next due time is the first one after now. The WHERE on the old due time makes the claim a compare-and-swap.
            long missed = (Ms(now) - r.due) / Math.Max(1, r.period) + 1;
            long next = r.due + missed * r.period;
            var rows = await c.ExecuteAsync(new CommandDefinition(
                "UPDATE vl_reminders SET due_ms=@next WHERE grain_type=@t AND grain_key=@k AND name=@n AND due_ms=@due",
                new { next, r.t, r.k, r.n, r.due }, cancellationToken: cancellationToken));
            if (rows == 1) won.Add(new ReminderEntry(r.t, r.k, r.n, At(r.due), TimeSpan.FromMilliseconds(r.period)));
        }
        return won;
    }

    public async Task RegisterAsync(SiloInfo s, CancellationToken cancellationToken = default)
    {
        await using var c = await OpenAsync(cancellationToken);
        await c.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO vl_silos (silo_id, address, roles, started_ms, heartbeat_ms, status, grain_types) VALUES (@id, @addr, @roles, @started, @hb, 'Active', @types)
            ON CONFLICT (silo_id) DO UPDATE SET address=excluded.address, roles=excluded.roles, started_ms=excluded.started_ms,
                heartbeat_ms=excluded.heartbeat_ms, status='Active', grain_types=excluded.grain_types
            """, new { id = s.SiloId, addr = s.Address, roles = string.Join(',', s.Roles), started = Ms(s.StartedAt), hb = Ms(s.HeartbeatAt), types = string.Join(',', s.GrainTypes ?? []) },
            cancellationToken: cancellationToken));
    }

    public async Task HeartbeatAsync(string siloId, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        await using var c = await OpenAsync(cancellationToken);
        await c.ExecuteAsync(new CommandDefinition("UPDATE vl_silos SET heartbeat_ms=@at WHERE silo_id=@siloId AND status='Active'",
            new { siloId, at = Ms(at) }, cancellationToken: cancellationToken));
    }

    public async Task MarkShutDownAsync(string siloId, CancellationToken cancellationToken = default)
    {
        await using var c = await OpenAsync(cancellationToken);
        await c.ExecuteAsync(new CommandDefinition("UPDATE vl_silos SET status='ShutDown' WHERE silo_id=@siloId",
            new { siloId }, cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<SiloInfo>> ListAsync(DateTimeOffset now, TimeSpan deadAfter, CancellationToken cancellationToken = default)
    {
        await using var c = await OpenAsync(cancellationToken);
        var rows = await c.QueryAsync<(string id, string addr, string roles, long started, long hb, string status, string types)>(new CommandDefinition(
            "SELECT silo_id, address, roles, started_ms, heartbeat_ms, status, grain_types FROM vl_silos ORDER BY started_ms",
            cancellationToken: cancellationToken));
        return rows.Select(r =>
        {
            var status = Enum.Parse<SiloStatus>(r.status);
            if (status == SiloStatus.Active && now - At(r.hb) > deadAfter) status = SiloStatus.Dead;
            return new SiloInfo(r.id, r.addr, r.roles.Split(',', StringSplitOptions.RemoveEmptyEntries), At(r.started), At(r.hb), status,
                r.types.Split(',', StringSplitOptions.RemoveEmptyEntries));
        }).ToList();
    }
}
