using System.Diagnostics;
using Npgsql;

namespace ViraLoop.Media.Tests.Cli;

/// <summary><c>viraloop db migrate</c> against the PostgreSQL server scripts/test.sh starts: idempotent, clear errors.</summary>
public sealed class DbMigrateCliTests
{
    private static async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "viraloop.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment.Remove("ViraLoop__Postgres");
        psi.Environment.Remove("VIRALOOP_POSTGRES");
        using var p = Process.Start(psi)!;
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        return (p.ExitCode, await o, await e);
    }

    private static string AdminConnection => Environment.GetEnvironmentVariable("VIRALOOP_POSTGRES")
        ?? throw new InvalidOperationException("VIRALOOP_POSTGRES is not set: run the suite with scripts/test.sh, which starts PostgreSQL.");

    [Fact]
    public async Task Migrate_TwiceOnAFreshDatabase_CreatesTheOrleansSchemaAndSucceedsAgain()
    {
        var name = $"vl_cli_{Guid.NewGuid():N}"[..24];
        await using (var admin = new NpgsqlConnection(AdminConnection))
        {
            await admin.OpenAsync();
            await new NpgsqlCommand($"CREATE DATABASE {name}", admin).ExecuteNonQueryAsync();
        }
        var cs = new NpgsqlConnectionStringBuilder(AdminConnection) { Database = name }.ToString();

        for (var run = 0; run < 2; run++)
        {
            var (code, output, err) = await RunAsync("db", "migrate", "--postgres", cs);
            Assert.True(code == 0, err);
            Assert.Contains("up to date", output);
        }
        await using var c = new NpgsqlConnection(cs);
        await c.OpenAsync();
        var keys = (long)(await new NpgsqlCommand("SELECT count(*) FROM orleansquery WHERE querykey IN ('InsertMembershipKey', 'WriteToStorageKey', 'UpsertReminderRowKey')", c).ExecuteScalarAsync())!;
        Assert.Equal(3, keys);
    }

    [Fact]
    public async Task Migrate_WithoutADatabase_ExitsWith2AndSaysHowToGiveOne()
    {
        var (code, _, err) = await RunAsync("db", "migrate");
        Assert.Equal(2, code);
        Assert.Contains("--postgres", err);
    }

    [Fact]
    public async Task Migrate_ServerNotThere_ExitsWith1WithoutAStackTrace()
    {
        var (code, _, err) = await RunAsync("db", "migrate", "--postgres", "Host=127.0.0.1;Port=1;Username=x;Database=x;Timeout=3");
        Assert.Equal(1, code);
        Assert.Contains("Could not migrate", err);
        Assert.DoesNotContain("   at ", err);
    }

    [Fact]
    public async Task Migrate_MalformedConnectionString_ExitsWith2()
    {
        var (code, _, err) = await RunAsync("db", "migrate", "--postgres", "this is not a connection string");
        Assert.Equal(2, code);
        Assert.Contains("connection string", err);
    }
}
