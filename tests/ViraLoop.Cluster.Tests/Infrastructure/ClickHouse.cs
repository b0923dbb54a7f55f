using System.Diagnostics;
using System.Text;

namespace ViraLoop.Cluster.Tests.Infrastructure;

/// <summary>The ClickHouse that scripts/servers.sh started for the run: a database of one's own, queries, and a restart.</summary>
public static class ClickHouse
{
    public static Uri Endpoint => new(Environment.GetEnvironmentVariable("VIRALOOP_CLICKHOUSE")
        ?? throw new InvalidOperationException("VIRALOOP_CLICKHOUSE is not set: run the suite with scripts/test.sh, which starts ClickHouse."));

    /// <summary>The URL a silo takes (ViraLoop__ClickHouse) to write into <paramref name="database"/>.</summary>
    public static string Url(string database) => new UriBuilder(Endpoint) { Query = "database=" + database }.Uri.ToString();

    public static async Task<string> QueryAsync(string sql)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var response = await http.PostAsync(Endpoint, new StringContent(sql, new UTF8Encoding(false)));
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"ClickHouse: {text}");
        return text.Trim();
    }

    /// <summary>Stops the server (SIGTERM, and waits); its data stays.</summary>
    public static Task StopAsync() => ServersAsync("clickhouse-stop");

    /// <summary>Starts it again on the same port and data; returns once it answers.</summary>
    public static Task StartAsync() => ServersAsync("clickhouse-start");

    private static async Task ServersAsync(string command)
    {
        var script = Environment.GetEnvironmentVariable("VIRALOOP_SERVERS_SCRIPT");
        var dir = Environment.GetEnvironmentVariable("VIRALOOP_SERVERS_DIR");
        if (string.IsNullOrEmpty(script) || string.IsNullOrEmpty(dir))
            throw new InvalidOperationException("VIRALOOP_SERVERS_SCRIPT and VIRALOOP_SERVERS_DIR are not set: run the suite with scripts/test.sh.");
        var psi = new ProcessStartInfo("bash") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { script, command, dir }) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(cts.Token);
        if (process.ExitCode != 0) throw new InvalidOperationException($"servers.sh {command} failed ({process.ExitCode}): {await stderr}{await stdout}");
    }
}
