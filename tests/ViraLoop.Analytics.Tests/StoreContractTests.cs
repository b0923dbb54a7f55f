using Xunit;

namespace ViraLoop.Analytics.Tests;

/// <summary>The contract both stores keep; run against each (see the two classes at the end).</summary>
public abstract class StoreContractTests : IAsyncLifetime
{
    protected IEngagementStore Store { get; private set; } = null!;

    protected abstract Task<IEngagementStore> OpenAsync();

    protected virtual Task CleanUpAsync() => Task.CompletedTask;

    public async Task InitializeAsync() => Store = await OpenAsync();

    public async Task DisposeAsync()
    {
        await Store.DisposeAsync();
        await CleanUpAsync();
    }

    private async Task AppendAllAsync(IReadOnlyList<EngagementEvent> events, int batch)
    {
        for (var i = 0; i < events.Count; i += batch)
        {
            await Store.AppendAsync(events.Skip(i).Take(batch).ToList());
        }

        await Store.FlushAsync();
    }

    [Fact]
    public async Task Aggregates_per_arm_and_day_and_per_video_match_the_events()
    {
        var events = Events.Generate(3_000, seed: 1);
        events.AddRange(Events.Generate(200, seed: 2, prefix: "other-exp-", experiment: "exp-2"));
        events.AddRange(Events.Generate(200, seed: 3, prefix: "other-tenant-", tenant: "t2"));
        await AppendAllAsync(events, 700);

        var daily = await Store.GetArmDailyAsync("t1", "exp-1");
        Assert.Equal(Events.ExpectedArmDaily(events, "t1", "exp-1"), daily);
        Assert.Equal(12, daily.Count); // 3 arms × 4 days
        Assert.Equal(3_000, daily.Sum(d => d.Events));
        Assert.Equal(Events.ExpectedArmDaily(events, "t1", "exp-2"), await Store.GetArmDailyAsync("t1", "exp-2"));
        Assert.Equal(Events.ExpectedVideoTotals(events, "t1"), await Store.GetVideoTotalsAsync("t1"));
        Assert.Equal(Events.ExpectedVideoTotals(events, "t2"), await Store.GetVideoTotalsAsync("t2"));
        Assert.Empty(await Store.GetArmDailyAsync("t1", "no-such-experiment"));
        Assert.Empty(await Store.GetVideoTotalsAsync("no-such-tenant"));
    }

    [Fact]
    public async Task Watch_time_totals_and_means_are_exact_to_the_millisecond()
    {
        var t = Events.Day0.AddHours(5);
        await Store.AppendAsync([
            Events.Make("w1", "v", "a", EngagementKind.WatchTime, t, 12.5),
            Events.Make("w2", "v", "a", EngagementKind.WatchTime, t, 0.0005), // rounds half away from zero: 1 ms
            Events.Make("w3", "v", "a", EngagementKind.WatchTime, t, 30.1234),
            Events.Make("w4", "v", "a", EngagementKind.ViewStarted, t, 99), // a value on another kind is kept but not watch time
        ]);
        await Store.FlushAsync();
        var day = Assert.Single(await Store.GetArmDailyAsync("t1", "exp-1"));
        Assert.Equal(3, day.WatchSessions);
        Assert.Equal(12_500 + 1 + 30_123, day.WatchMilliseconds);
        Assert.Equal(42.624, day.WatchSeconds, 9);
        Assert.Equal(42.624 / 3, day.MeanWatchSeconds, 9);
        Assert.Equal(1, day.ViewsStarted);
        var video = Assert.Single(await Store.GetVideoTotalsAsync("t1"));
        Assert.Equal(42.624 / 3, video.MeanWatchSeconds, 9);
        Assert.Equal(99, (await Store.GetEventAsync("w4"))!.Value);
    }

    [Fact]
    public async Task Duplicate_ids_are_ignored_within_a_batch_across_batches_and_after_a_flush()
    {
        var t = Events.Day0.AddHours(1);
        var first = Events.Make("dup-1", "v1", "a1", EngagementKind.Impression, t);
        var sameIdOtherPayload = Events.Make("dup-1", "v2", "a2", EngagementKind.Click, t.AddDays(1));
        await Store.AppendAsync([first, first, sameIdOtherPayload, Events.Make("dup-2", "v1", "a1", EngagementKind.Click, t)]);
        await Store.AppendAsync([first, Events.Make("dup-2", "v1", "a1", EngagementKind.Click, t)]);
        await Store.FlushAsync();
        await Store.AppendAsync([first, sameIdOtherPayload, Events.Make("dup-3", "v1", "a1", EngagementKind.Completed, t)]);
        await Store.FlushAsync();

        Assert.Equal(1, await Store.CountEventAsync("dup-1"));
        Assert.Equal(1, await Store.CountEventAsync("dup-2"));
        Assert.Equal(1, await Store.CountEventAsync("dup-3"));
        Assert.Equal(0, await Store.CountEventAsync("dup-4"));
        Assert.Equal(first.StoredTimestamp, (await Store.GetEventAsync("dup-1"))!.Timestamp);
        Assert.Equal("v1", (await Store.GetEventAsync("dup-1"))!.VideoId); // the first one wins
        var day = Assert.Single(await Store.GetArmDailyAsync("t1", "exp-1"));
        Assert.Equal(new ArmDay("a1", DateOnly.FromDateTime(t.UtcDateTime), 3, 1, 1, 0, 1, 0, 0), day);
    }

    [Fact]
    public async Task Late_and_out_of_order_events_count_in_the_day_they_happened()
    {
        var midnight = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero); // also a month boundary
        var events = Events.Generate(1_000, seed: 7);
        var shuffled = events.OrderBy(e => e.EventId.GetHashCode(StringComparison.Ordinal)).ToList();
        await AppendAllAsync(shuffled, 333);

        // Late: days after their day was aggregated, and at the edges of a UTC day, in another offset.
        List<EngagementEvent> late =
        [
            Events.Make("late-1", "video-1", "arm-1", EngagementKind.Impression, midnight.AddMilliseconds(-1)),
            Events.Make("late-2", "video-1", "arm-1", EngagementKind.Click, midnight),
            Events.Make("late-3", "video-2", "arm-2", EngagementKind.Completed, new DateTimeOffset(2026, 12, 1, 1, 30, 0, TimeSpan.FromHours(2))), // 23:30 UTC on 30 Nov
            Events.Make("late-4", "video-2", "arm-0", EngagementKind.WatchTime, Events.Day0.AddDays(-40), 5), // a month before
        ];
        await Store.AppendAsync(late);
        await Store.FlushAsync();

        var all = events.Concat(late).ToList();
        Assert.Equal(Events.ExpectedArmDaily(all, "t1", "exp-1"), await Store.GetArmDailyAsync("t1", "exp-1"));
        var nov30 = new DateOnly(2026, 11, 30);
        var daily = await Store.GetArmDailyAsync("t1", "exp-1", nov30, nov30);
        Assert.Equal(Events.ExpectedArmDaily(all, "t1", "exp-1", nov30, nov30), daily);
        Assert.All(daily, d => Assert.Equal(nov30, d.Day));
        var monthBefore = DateOnly.FromDateTime(Events.Day0.AddDays(-40).UtcDateTime);
        var early = Assert.Single(await Store.GetArmDailyAsync("t1", "exp-1", monthBefore, monthBefore));
        Assert.Equal(new ArmDay("arm-0", monthBefore, 1, 0, 0, 0, 0, 1, 5_000), early);
        Assert.Equal(Events.ExpectedVideoTotals(all, "t1"), await Store.GetVideoTotalsAsync("t1"));
    }

    [Fact]
    public async Task An_event_reads_back_as_stored_to_the_millisecond_in_utc()
    {
        var ts = new DateTimeOffset(2026, 12, 5, 13, 14, 15, 678, TimeSpan.FromHours(-5)).AddTicks(1234);
        var e = new EngagementEvent("rt-1", "tenant", "video", "arm", "exp", EngagementKind.WatchTime, 0.1 + 0.2, ts, "instagram");
        await Store.AppendAsync([e]);
        await Store.FlushAsync();
        var back = await Store.GetEventAsync("rt-1");
        Assert.Equal(e with { Timestamp = e.StoredTimestamp }, back);
        Assert.Equal(TimeSpan.Zero, back!.Timestamp.Offset);
        Assert.Equal(678, back.Timestamp.Millisecond);
        Assert.Null(await Store.GetEventAsync("rt-2"));
    }

    [Fact]
    public async Task Hostile_strings_round_trip_exactly_and_match_only_themselves()
    {
        var ts = Events.Day0.AddHours(3);
        var events = new List<EngagementEvent>();
        for (var i = 0; i < Events.Hostile.Length; i++)
        {
            var h = Events.Hostile[i];
            // The same hostile text as id (when not empty), tenant, video, arm, experiment and platform.
            events.Add(new EngagementEvent(h.Length == 0 ? "empty" : h, h, h, h, h, EngagementKind.Click, i, ts.AddSeconds(i), h));
        }

        await Store.AppendAsync(events);
        await Store.FlushAsync();
        foreach (var e in events)
        {
            Assert.Equal(1, await Store.CountEventAsync(e.EventId));
            Assert.Equal(e, await Store.GetEventAsync(e.EventId));
            var day = Assert.Single(await Store.GetArmDailyAsync(e.Tenant, e.ExperimentId));
            Assert.Equal(e.ArmId, day.ArmId);
            Assert.Equal(1, day.Clicks);
            var video = Assert.Single(await Store.GetVideoTotalsAsync(e.Tenant));
            Assert.Equal(e.VideoId, video.VideoId);
        }

        // An injection attempt is only a string: the table is still there and holds every event.
        long total = 0;
        foreach (var h in Events.Hostile)
        {
            total += (await Store.GetVideoTotalsAsync(h)).Sum(v => v.Events);
        }

        Assert.Equal(events.Count, total);
        Assert.Equal(1, await Store.CountEventAsync("'); DROP TABLE engagement_events; --"));
        Assert.Equal(0, await Store.CountEventAsync("it''s"));
        Assert.Equal(0, await Store.CountEventAsync("nul"));
    }

    [Fact]
    public async Task Invalid_events_are_refused_whole_with_the_field_named()
    {
        var ts = Events.Day0;
        var good = Events.Make("ok", "v", "a", EngagementKind.Click, ts);
        var cases = new (EngagementEvent Event, string Field)[]
        {
            (good with { EventId = "" }, "EventId"),
            (good with { VideoId = "lone \ud800 surrogate" }, "VideoId"),
            (good with { ArmId = null! }, "ArmId"),
            (good with { Value = double.NaN }, "Value"),
            (good with { Timestamp = new DateTimeOffset(1960, 1, 1, 0, 0, 0, TimeSpan.Zero) }, "Timestamp"),
            (good with { Kind = (EngagementKind)99 }, "Kind"),
        };
        foreach (var (bad, field) in cases)
        {
            var ex = await Assert.ThrowsAsync<ArgumentException>(() => Store.AppendAsync([good, bad]));
            Assert.Equal(field, ex.ParamName);
        }

        await Store.FlushAsync();
        Assert.Equal(0, await Store.CountEventAsync("ok"));
    }
}

public sealed class EmbeddedStoreContractTests : StoreContractTests
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "viraloop-analytics-tests", Guid.NewGuid().ToString("N"));

    protected override async Task<IEngagementStore> OpenAsync() => await EmbeddedStore.OpenAsync(Path.Combine(_dir, "analytics.db"));

    protected override Task CleanUpAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }

        return Task.CompletedTask;
    }
}

[Collection(ClickHouseCollection.Name)]
public sealed class ClickHouseStoreContractTests : StoreContractTests
{
    private readonly string _database = ClickHouseServer.NewDatabase();

    protected override async Task<IEngagementStore> OpenAsync() =>
        await ClickHouseStore.StartAsync(new ClickHouseStoreOptions
        {
            Endpoint = ClickHouseServer.Endpoint,
            Database = _database,
            BatchSize = 500,
            FlushInterval = TimeSpan.FromMilliseconds(200),
        });

    protected override Task CleanUpAsync() => ClickHouseServer.DropAsync(_database);
}

/// <summary>Tests that use the shared ClickHouse server run one at a time: the restart tests stop and start it.</summary>
[CollectionDefinition(Name)]
public sealed class ClickHouseCollection
{
    public const string Name = "ClickHouse";
}
