using System.Diagnostics;
using System.Globalization;
using System.Text;
using ViraLoop.Analytics;

namespace ViraLoop.Bench;

/// <summary>
/// Engagement events per second appended into ClickHouse (VIRALOOP_CLICKHOUSE, over HTTP, through the buffer, exactly-once
/// lookup and the per-arm-day view) and into the embedded SQLite store, in batches of each size: first append of all
/// events up to durable (FlushAsync), then the same events again (all duplicates: what a platform re-delivery costs),
/// then one per-arm-day query for an experiment.
/// </summary>
public static class IngestBench
{
    public static async Task RunAsync(string[] args)
    {
        var inv = CultureInfo.InvariantCulture;
        var i = Array.IndexOf(args, "--events");
        var count = i >= 0 ? int.Parse(args[i + 1], inv) : 200_000;
        i = Array.IndexOf(args, "--batches");
        var batches = (i >= 0 ? args[i + 1] : "1000,10000").Split(',').Select(b => int.Parse(b, inv)).ToArray();
        var clickHouse = Environment.GetEnvironmentVariable("VIRALOOP_CLICKHOUSE");
        if (string.IsNullOrWhiteSpace(clickHouse))
        {
            throw new InvalidOperationException("VIRALOOP_CLICKHOUSE is not set (scripts/bench.sh ingest starts a ClickHouse and sets it).");
        }

        var events = Generate(count);
        Console.WriteLine($"ingest: {count:N0} events (1,000 videos, 2 experiments × 10 arms, 30 days, shuffled), ClickHouse at {clickHouse}");
        var rows = new List<string>();
        foreach (var batch in batches)
        {
            // Warm-up (JIT, connections, schema) on a small database of its own, not counted.
            await RunClickHouseAsync(clickHouse, events.GetRange(0, Math.Min(count, 2 * batch)), batch, warmUp: true);
            rows.Add(await RunClickHouseAsync(clickHouse, events, batch, warmUp: false));
            await RunEmbeddedAsync(events.GetRange(0, Math.Min(count, 2 * batch)), batch);
            rows.Add(await RunEmbeddedAsync(events, batch));
        }

        Console.WriteLine();
        Console.WriteLine("| store | batch | first append → durable | events/s | re-append (all duplicates) | events/s | arm×day query |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- |");
        foreach (var row in rows)
        {
            Console.WriteLine(row);
        }
    }

    private static async Task<string> RunClickHouseAsync(string url, List<EngagementEvent> events, int batch, bool warmUp)
    {
        var database = "vl_bench_" + Guid.NewGuid().ToString("N")[..12];
        var options = new ClickHouseStoreOptions { Endpoint = new Uri(url), Database = database, BatchSize = batch, MaxBufferedEvents = 1_000_000 };
        try
        {
            await using var store = await ClickHouseStore.StartAsync(options);
            var first = await AppendAllAsync(store, events, batch);
            var again = await AppendAllAsync(store, events, batch);
            var query = Stopwatch.StartNew();
            var daily = await store.GetArmDailyAsync("bench", "exp-0");
            query.Stop();
            Check(daily, events);
            var s = store.Status;
            if (s.InsertedEvents != events.Count || s.DuplicatesSkipped != events.Count)
            {
                throw new InvalidOperationException($"ClickHouse: inserted {s.InsertedEvents}, skipped {s.DuplicatesSkipped} of {events.Count}");
            }

            return Row("ClickHouse (HTTP)", batch, events.Count, first, again, query.Elapsed);
        }
        finally
        {
            using var http = new HttpClient();
            await http.PostAsync(url, new StringContent($"DROP DATABASE IF EXISTS {database}", Encoding.UTF8));
        }
    }

    private static async Task<string> RunEmbeddedAsync(List<EngagementEvent> events, int batch)
    {
        var dir = Directory.CreateTempSubdirectory("vl-ingest-bench-").FullName;
        try
        {
            await using var store = await EmbeddedStore.OpenAsync(Path.Combine(dir, "analytics.db"));
            var first = await AppendAllAsync(store, events, batch);
            var again = await AppendAllAsync(store, events, batch);
            var query = Stopwatch.StartNew();
            var daily = await store.GetArmDailyAsync("bench", "exp-0");
            query.Stop();
            Check(daily, events);
            return Row("embedded (SQLite)", batch, events.Count, first, again, query.Elapsed);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<TimeSpan> AppendAllAsync(IEngagementStore store, List<EngagementEvent> events, int batch)
    {
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < events.Count; i += batch)
        {
            await store.AppendAsync(events.GetRange(i, Math.Min(batch, events.Count - i)));
        }

        await store.FlushAsync();
        return clock.Elapsed;
    }

    private static void Check(IReadOnlyList<ArmDay> daily, List<EngagementEvent> events)
    {
        var expected = events.LongCount(e => e.ExperimentId == "exp-0");
        if (daily.Sum(d => d.Events) != expected)
        {
            throw new InvalidOperationException($"arm×day query counted {daily.Sum(d => d.Events)} events, expected {expected}");
        }
    }

    private static string Row(string store, int batch, int count, TimeSpan first, TimeSpan again, TimeSpan query) =>
        string.Create(CultureInfo.InvariantCulture,
            $"| {store} | {batch:N0} | {first.TotalSeconds:F2} s | **{count / first.TotalSeconds:N0}** | {again.TotalSeconds:F2} s | {count / again.TotalSeconds:N0} | {query.TotalMilliseconds:F0} ms |");

    private static List<EngagementEvent> Generate(int count)
    {
        var random = new Random(42);
        var start = new DateTimeOffset(2026, 11, 5, 0, 0, 0, TimeSpan.Zero);
        var kinds = new[] { EngagementKind.Impression, EngagementKind.Impression, EngagementKind.Impression, EngagementKind.Impression,
            EngagementKind.Click, EngagementKind.ViewStarted, EngagementKind.ViewStarted, EngagementKind.Completed, EngagementKind.WatchTime };
        var list = new List<EngagementEvent>(count);
        for (var n = 0; n < count; n++)
        {
            var kind = kinds[random.Next(kinds.Length)];
            list.Add(new EngagementEvent(
                $"evt-{Guid.NewGuid():N}", "bench", $"video-{random.Next(1_000):D4}", $"arm-{random.Next(10)}", $"exp-{random.Next(2)}", kind,
                kind == EngagementKind.WatchTime ? Math.Round(random.NextDouble() * 60, 3) : 0,
                start.AddMilliseconds(random.NextInt64(30L * 86_400_000)), random.Next(3) switch { 0 => "youtube", 1 => "tiktok", _ => "instagram" }));
        }

        return list;
    }
}
