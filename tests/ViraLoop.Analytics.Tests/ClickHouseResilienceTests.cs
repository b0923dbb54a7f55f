using Xunit;

namespace ViraLoop.Analytics.Tests;

/// <summary>
/// The ClickHouse store against the real server: outages, restarts mid-append, answers lost after an insert landed, a view
/// that missed an insert, and a full buffer. Counts are checked against the events themselves, never against the store.
/// </summary>
[Collection(ClickHouseCollection.Name)]
public sealed class ClickHouseResilienceTests : IAsyncLifetime
{
    private readonly string _database = ClickHouseServer.NewDatabase();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        // Whatever a test did, leave the shared server running for the next one.
        if (!await AnswersAsync())
        {
            await ClickHouseServer.StartAsync();
        }

        await ClickHouseServer.DropAsync(_database);
    }

    private static async Task<bool> AnswersAsync()
    {
        try
        {
            return (await ClickHouseServer.QueryAsync("SELECT 1")).Trim() == "1";
        }
        catch (Exception)
        {
            return false;
        }
    }

    private ClickHouseStoreOptions Options(int batch = 500) => new()
    {
        Endpoint = ClickHouseServer.Endpoint,
        Database = _database,
        BatchSize = batch,
        FlushInterval = TimeSpan.FromMilliseconds(100),
        RetryInitialDelay = TimeSpan.FromMilliseconds(50),
        RetryMaxDelay = TimeSpan.FromMilliseconds(500),
        RequestTimeout = TimeSpan.FromSeconds(10),
    };

    private async Task AssertExactlyOnceAsync(IEngagementStore store, List<EngagementEvent> events)
    {
        Assert.Equal(Events.ExpectedArmDaily(events, "t1", "exp-1"), await store.GetArmDailyAsync("t1", "exp-1"));
        Assert.Equal(Events.ExpectedVideoTotals(events, "t1"), await store.GetVideoTotalsAsync("t1"));
        // No id stored twice, none missing: the raw table agrees with the events one by one.
        var stats = (await ClickHouseServer.QueryAsync(
            $"SELECT count(), uniqExact(event_id) FROM {_database}.engagement_events FORMAT TabSeparated")).Trim().Split('\t');
        Assert.Equal([events.Count.ToString(), events.Count.ToString()], stats);
        // And every attempt's aggregates match its events (none missing, none doubled).
        var mismatched = (await ClickHouseServer.QueryAsync(
            $"SELECT count() FROM (SELECT attempt, count() AS n FROM {_database}.engagement_events GROUP BY attempt) ANY FULL OUTER JOIN " +
            $"(SELECT attempt, countMerge(events) AS m FROM {_database}.engagement_arm_daily GROUP BY attempt) USING attempt WHERE n != m FORMAT TabSeparated")).Trim();
        Assert.Equal("0", mismatched);
    }

    [Fact]
    public async Task A_server_killed_and_restarted_during_appends_loses_nothing_and_double_counts_nothing()
    {
        await using var store = await ClickHouseStore.StartAsync(Options());
        var events = Events.Generate(20_000, seed: 11, prefix: "k");
        var appending = Task.Run(async () =>
        {
            for (var i = 0; i < events.Count; i += 250)
            {
                await store.AppendAsync(events.GetRange(i, 250));
                // Some re-deliveries of what was already appended, as platforms do.
                if (i >= 1_000 && i % 2_000 == 0)
                {
                    await store.AppendAsync(events.GetRange(i - 1_000, 250));
                }

                await Task.Delay(5);
            }
        });

        await Task.Delay(700);
        await ClickHouseServer.StopAsync(kill: true); // SIGKILL: inserts die mid-flight
        await Task.Delay(1_500);
        await ClickHouseServer.StartAsync();
        await Task.Delay(700);
        await ClickHouseServer.StopAsync(kill: false); // SIGTERM: a clean shutdown too
        await Task.Delay(500);
        await ClickHouseServer.StartAsync();

        await appending;
        await store.FlushAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(store.Status.Retries > 0, "the outage was not noticed: the test did not test anything");
        Assert.Equal(0, store.Status.BufferedEvents);
        await AssertExactlyOnceAsync(store, events);
    }

    [Fact]
    public async Task Events_buffered_while_the_server_is_down_are_written_when_it_comes_back()
    {
        await using var store = await ClickHouseStore.StartAsync(Options());
        var events = Events.Generate(3_000, seed: 12, prefix: "b");
        await store.AppendAsync(events.GetRange(0, 1_000));
        await store.FlushAsync();

        await ClickHouseServer.StopAsync(kill: false);
        await store.AppendAsync(events.GetRange(1_000, 2_000));
        var flush = store.FlushAsync();
        await Task.Delay(1_500);
        Assert.False(flush.IsCompleted, "a flush completed while ClickHouse was down");
        var down = store.Status;
        Assert.Equal(2_000, down.BufferedEvents);
        Assert.NotNull(down.FailingSince);
        Assert.NotNull(down.LastError);

        await ClickHouseServer.StartAsync();
        await flush.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, store.Status.BufferedEvents);
        Assert.Null(store.Status.FailingSince);
        await AssertExactlyOnceAsync(store, events);
    }

    [Fact]
    public async Task An_insert_that_landed_but_whose_answer_was_lost_is_not_written_again()
    {
        var handler = new LoseAnswers(inserts: 3, detachView: false, _database);
        await using var store = ClickHouseStore.Create(Options(), handler);
        var events = Events.Generate(2_000, seed: 13, prefix: "l");
        await store.AppendAsync(events);
        await store.FlushAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(3, handler.Lost);
        Assert.True(store.Status.DuplicatesSkipped >= 3 * 500, $"only {store.Status.DuplicatesSkipped} ids were found already stored");
        await AssertExactlyOnceAsync(store, events);
    }

    [Fact]
    public async Task Events_that_landed_without_their_aggregates_get_them_once()
    {
        // The view is detached while an insert runs (as when a server dies between the table and the view), and the answer
        // is lost: the store must find the events stored, not insert them again, and backfill their aggregates.
        var handler = new LoseAnswers(inserts: 2, detachView: true, _database);
        await using var store = ClickHouseStore.Create(Options(), handler);
        var events = Events.Generate(1_500, seed: 14, prefix: "v");
        await store.AppendAsync(events);
        await store.FlushAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(2, handler.Lost);
        Assert.Equal(2 * 2, store.Status.Repairs); // two attempts, each spanning two months (November, December)
        await AssertExactlyOnceAsync(store, events);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Aggregates_a_dead_writer_left_missing_are_backfilled_once_on_start(bool lazy)
    {
        // A writer that died between its INSERT and the reconciliation: events stored under attempts whose view writes
        // never happened (the view detached), next to complete ones.
        var events = Events.Generate(1_200, seed: 17, prefix: "d");
        await using (var first = await ClickHouseStore.StartAsync(Options()))
        {
            await first.AppendAsync(events.GetRange(0, 400));
            await first.FlushAsync();
        }

        await using (var dead = await ClickHouseStore.StartAsync(Options()))
        {
            // Detached after the schema check: a store's CREATE … IF NOT EXISTS would otherwise make a new view.
            await ClickHouseServer.QueryAsync($"DETACH TABLE {_database}.engagement_arm_daily_mv");
            await dead.AppendAsync(events.GetRange(400, 800));
            await dead.FlushAsync();
        }

        await ClickHouseServer.QueryAsync($"ATTACH TABLE {_database}.engagement_arm_daily_mv", "allow_experimental_low_cardinality_type=1");
        Assert.NotEqual(Events.ExpectedArmDaily(events, "t1", "exp-1"), await ReadDailyAsync());

        var options = Options();
        var repairing = new ClickHouseStoreOptions { Endpoint = options.Endpoint, Database = options.Database, BatchSize = options.BatchSize, RepairOnStart = true };
        await using var store = lazy ? ClickHouseStore.Create(repairing) : await ClickHouseStore.StartAsync(repairing);
        var all = events;
        if (lazy)
        {
            // As a silo opens it (EngagementStores): nothing happens until the first batch, which repairs first.
            Assert.Equal(0, store.Status.Repairs);
            var more = Events.Generate(300, seed: 18, prefix: "n");
            await store.AppendAsync(more);
            await store.FlushAsync().WaitAsync(TimeSpan.FromSeconds(30));
            all = [.. events, .. more];
        }
        Assert.Equal(2 * 2, store.Status.Repairs); // two attempts of 400, each across November and December
        Assert.Equal(0, await store.RepairAsync()); // nothing left: a second pass backfills nothing twice
        await AssertExactlyOnceAsync(store, all);
    }

    private async Task<IReadOnlyList<ArmDay>> ReadDailyAsync()
    {
        await using var reader = await ClickHouseStore.StartAsync(Options());
        return await reader.GetArmDailyAsync("t1", "exp-1");
    }

    [Fact]
    public async Task A_full_buffer_pushes_back_with_a_clear_error_and_keeps_what_it_holds()
    {
        await using var store = ClickHouseStore.Create(new ClickHouseStoreOptions
        {
            Endpoint = new Uri("http://127.0.0.1:9/"), // discard port: nothing listens
            Database = _database,
            BatchSize = 100,
            MaxBufferedEvents = 1_000,
            BufferFullWait = TimeSpan.FromMilliseconds(300),
            RetryInitialDelay = TimeSpan.FromMilliseconds(20),
            RetryMaxDelay = TimeSpan.FromMilliseconds(100),
            DisposeFlushTimeout = TimeSpan.FromMilliseconds(200),
        });
        var events = Events.Generate(1_100, seed: 15);
        await store.AppendAsync(events.GetRange(0, 1_000));
        var ex = await Assert.ThrowsAsync<EngagementBufferFullException>(() => store.AppendAsync(events.GetRange(1_000, 100)));
        Assert.Contains("buffer is full (1000 of 1000", ex.Message);
        Assert.Contains("127.0.0.1:9", ex.Message);
        Assert.Contains("last error", ex.Message);
        Assert.Equal(1_000, store.Status.BufferedEvents);
        await Assert.ThrowsAsync<ArgumentException>(() => store.AppendAsync(Events.Generate(1_001, seed: 16)));
    }

    /// <summary>
    /// Sends the first <c>inserts</c> INSERTs into the events table to the real server, then throws as if the connection had
    /// dropped before the answer. With <c>detachView</c> the view is detached around those inserts.
    /// </summary>
    private sealed class LoseAnswers(int inserts, bool detachView, string database) : DelegatingHandler(new SocketsHttpHandler())
    {
        private readonly int _total = inserts;
        private int _left = inserts;
        public int Lost => _total - _left;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
            var isInsert = body.StartsWith($"INSERT INTO {database}.engagement_events ", StringComparison.Ordinal);
            if (!isInsert || Volatile.Read(ref _left) == 0)
            {
                return await base.SendAsync(request, cancellationToken);
            }

            Interlocked.Decrement(ref _left);
            if (detachView)
            {
                await ClickHouseServer.QueryAsync($"DETACH TABLE {database}.engagement_arm_daily_mv");
            }

            try
            {
                using var response = await base.SendAsync(request, cancellationToken);
                Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
            }
            finally
            {
                if (detachView)
                {
                    await ClickHouseServer.QueryAsync($"ATTACH TABLE {database}.engagement_arm_daily_mv", "allow_experimental_low_cardinality_type=1");
                }
            }

            throw new HttpRequestException("test: the connection dropped after the server had the insert");
        }
    }
}
