using Npgsql;

namespace ViraLoop.Cluster.Tests.Infrastructure;

/// <summary>The RabbitMQ and PostgreSQL servers that scripts/test.sh starts on loopback for the run.</summary>
public static class Servers
{
    public static string RabbitMq => Environment.GetEnvironmentVariable("VIRALOOP_RABBITMQ")
        ?? throw new InvalidOperationException("VIRALOOP_RABBITMQ is not set: run the suite with scripts/test.sh, which starts RabbitMQ and PostgreSQL.");

    public static string Postgres => Environment.GetEnvironmentVariable("VIRALOOP_POSTGRES")
        ?? throw new InvalidOperationException("VIRALOOP_POSTGRES is not set: run the suite with scripts/test.sh, which starts RabbitMQ and PostgreSQL.");

    /// <summary>A fresh database with ViraLoop's schema, so tests never share state.</summary>
    public static async Task<string> CreateDatabaseAsync()
    {
        var name = $"vl_{Guid.NewGuid():N}"[..20];
        await using (var c = new NpgsqlConnection(Postgres))
        {
            await c.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE {name}", c);
            await cmd.ExecuteNonQueryAsync();
        }
        var cs = new NpgsqlConnectionStringBuilder(Postgres) { Database = name }.ToString();
        await ViraLoop.Providers.PostgreSql.PostgresSchema.MigrateAsync(cs);
        return cs;
    }
}

public static class Wait
{
    /// <summary>Awaits a task, failing with what was being waited for when it takes too long.</summary>
    public static async Task<T> ForAsync<T>(Task<T> task, string what, int seconds = 60)
    {
        try { return await task.WaitAsync(TimeSpan.FromSeconds(seconds)); }
        catch (TimeoutException) { throw new TimeoutException($"Timed out after {seconds} s waiting for {what}"); }
    }

    public static async Task ForAsync(Task task, string what, int seconds = 60)
    {
        try { await task.WaitAsync(TimeSpan.FromSeconds(seconds)); }
        catch (TimeoutException) { throw new TimeoutException($"Timed out after {seconds} s waiting for {what}"); }
    }

    /// <summary>For conditions only observable by asking (membership, grain state): re-checks at the given period until true.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan period, int seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        using var timer = new PeriodicTimer(period);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Timed out after {seconds} s waiting for {what}");
            await timer.WaitForNextTickAsync();
        }
    }
}
