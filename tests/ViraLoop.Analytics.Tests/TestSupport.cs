using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace ViraLoop.Analytics.Tests;

/// <summary>The throwaway ClickHouse that scripts/servers.sh started (scripts/test.sh starts it for the whole suite).</summary>
internal static class ClickHouseServer
{
    public static Uri Endpoint
    {
        get
        {
            var url = Environment.GetEnvironmentVariable("VIRALOOP_CLICKHOUSE");
            if (string.IsNullOrWhiteSpace(url))
            {
                throw new InvalidOperationException(
                    "VIRALOOP_CLICKHOUSE is not set: these tests need the ClickHouse server that scripts/servers.sh starts. " +
                    "Run scripts/test.sh, or: eval \"$(scripts/servers.sh start)\"; dotnet test tests/ViraLoop.Analytics.Tests; " +
                    "scripts/servers.sh stop \"$VIRALOOP_SERVERS_DIR\"");
            }

            return new Uri(url);
        }
    }

    public static string NewDatabase() => "vl_test_" + Guid.NewGuid().ToString("N")[..16];

    public static async Task<string> QueryAsync(string sql, string? settings = null)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var url = settings is null ? Endpoint : new Uri(Endpoint, "/?" + settings);
        using var response = await http.PostAsync(url, new StringContent(sql, new UTF8Encoding(false)));
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"ClickHouse: {text}");
        }

        return text;
    }

    public static async Task DropAsync(string database)
    {
        try
        {
            await QueryAsync($"DROP DATABASE IF EXISTS {database}");
        }
        catch (Exception)
        {
            // Best effort: the servers dir is thrown away with the server.
        }
    }

    /// <summary>Stops the real server process (SIGKILL when <paramref name="kill"/>, else SIGTERM and wait).</summary>
    public static Task StopAsync(bool kill) => ServersScriptAsync("clickhouse-stop", kill ? "--kill" : null);

    /// <summary>Starts it again on the same port and data; returns when it answers SELECT 1.</summary>
    public static Task StartAsync() => ServersScriptAsync("clickhouse-start", null);

    private static async Task ServersScriptAsync(string command, string? flag)
    {
        var script = Environment.GetEnvironmentVariable("VIRALOOP_SERVERS_SCRIPT");
        var dir = Environment.GetEnvironmentVariable("VIRALOOP_SERVERS_DIR");
        if (string.IsNullOrEmpty(script) || string.IsNullOrEmpty(dir))
        {
            throw new InvalidOperationException(
                "VIRALOOP_SERVERS_SCRIPT and VIRALOOP_SERVERS_DIR are not set: the restart tests stop and start the ClickHouse that " +
                "scripts/servers.sh started; run them after eval \"$(scripts/servers.sh start)\" (scripts/test.sh does).");
        }

        var psi = new ProcessStartInfo("bash") { RedirectStandardError = true, RedirectStandardOutput = true };
        psi.ArgumentList.Add(script);
        psi.ArgumentList.Add(command);
        psi.ArgumentList.Add(dir);
        if (flag is not null)
        {
            psi.ArgumentList.Add(flag);
        }

        using var process = Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(cts.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"servers.sh {command} failed ({process.ExitCode}): {await stderr}{await stdout}");
        }
    }
}

/// <summary>Deterministic events and the answers a correct store gives for them, computed here in plain C#.</summary>
internal static class Events
{
    public static readonly DateTimeOffset Day0 = new(2026, 11, 30, 0, 0, 0, TimeSpan.Zero);

    public static EngagementEvent Make(string id, string video, string arm, EngagementKind kind, DateTimeOffset ts, double value = 0,
        string tenant = "t1", string experiment = "exp-1", string platform = "youtube") =>
        new(id, tenant, video, arm, experiment, kind, value, ts, platform);

    /// <summary><paramref name="count"/> events over 3 arms, 7 videos and 4 days (some across a month end), all kinds.</summary>
    public static List<EngagementEvent> Generate(int count, int seed, string prefix = "e", string tenant = "t1", string experiment = "exp-1")
    {
        var random = new Random(seed);
        var kinds = new[] { EngagementKind.Impression, EngagementKind.Impression, EngagementKind.Impression, EngagementKind.Click,
            EngagementKind.ViewStarted, EngagementKind.Completed, EngagementKind.WatchTime, EngagementKind.Like };
        var list = new List<EngagementEvent>(count);
        for (var i = 0; i < count; i++)
        {
            var kind = kinds[random.Next(kinds.Length)];
            var ts = Day0.AddMilliseconds(random.NextInt64(4L * 86_400_000));
            var value = kind == EngagementKind.WatchTime ? Math.Round(random.NextDouble() * 60, 3) : 0;
            list.Add(Make($"{prefix}{i.ToString(CultureInfo.InvariantCulture)}", $"video-{random.Next(7)}", $"arm-{random.Next(3)}", kind, ts, value,
                tenant, experiment, random.Next(2) == 0 ? "youtube" : "tiktok"));
        }

        return list;
    }

    /// <summary>First event per id wins (as in the stores).</summary>
    public static List<EngagementEvent> Distinct(IEnumerable<EngagementEvent> events)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        return events.Where(e => seen.Add(e.EventId)).ToList();
    }

    public static List<ArmDay> ExpectedArmDaily(IEnumerable<EngagementEvent> events, string tenant, string experiment, DateOnly? from = null, DateOnly? to = null) =>
        Distinct(events)
            .Where(e => e.Tenant == tenant && e.ExperimentId == experiment)
            .GroupBy(e => (e.ArmId, Day: DateOnly.FromDateTime(e.StoredTimestamp.UtcDateTime)))
            .Where(g => (from is null || g.Key.Day >= from) && (to is null || g.Key.Day <= to))
            .Select(g => new ArmDay(g.Key.ArmId, g.Key.Day, g.Count(), Count(g, EngagementKind.Impression), Count(g, EngagementKind.Click),
                Count(g, EngagementKind.ViewStarted), Count(g, EngagementKind.Completed), Count(g, EngagementKind.WatchTime),
                g.Sum(e => e.ValueMilliseconds)))
            .OrderBy(a => a.ArmId, StringComparer.Ordinal).ThenBy(a => a.Day)
            .ToList();

    public static List<VideoTotals> ExpectedVideoTotals(IEnumerable<EngagementEvent> events, string tenant) =>
        Distinct(events)
            .Where(e => e.Tenant == tenant)
            .GroupBy(e => e.VideoId)
            .Select(g => new VideoTotals(g.Key, g.Count(), Count(g, EngagementKind.Impression), Count(g, EngagementKind.Click),
                Count(g, EngagementKind.ViewStarted), Count(g, EngagementKind.Completed), Count(g, EngagementKind.WatchTime),
                g.Sum(e => e.ValueMilliseconds)))
            .OrderBy(v => v.VideoId, StringComparer.Ordinal)
            .ToList();

    private static long Count(IEnumerable<EngagementEvent> g, EngagementKind kind) => g.LongCount(e => e.Kind == kind);

    /// <summary>Strings that break naive escaping (SQL, TSV, JSON, C strings) or naive text handling.</summary>
    public static readonly string[] Hostile =
    [
        "it's",
        "'); DROP TABLE engagement_events; --",
        "\\",
        "\\'",
        "back\\slash\\n (literal backslash-n)",
        "tab\there",
        "new\nline",
        "cr\rlf\r\n",
        "nul\0byte",
        "\0",
        "ctl\u0001\u0007\u001b\u007f",
        "\b\f\v",
        "\"double\" quotes",
        "`backtick` $dollar ${x} %s {0}",
        "emoji 😀👩‍👩‍👧 flags 🇵🇱",
        "Zażółć gęślą jaźń",
        "مرحبا بالعالم",
        "中文字符",
        "e\u0301 combining",
        "\u200b zero width \ufeff bom",
        "\u202e right-to-left override",
        "",
        " ",
        "\\x41 not an escape",
        "a\\0b",
        "\t",
        "<xml>&amp;</xml>",
        new string('x', 4096),
    ];
}
