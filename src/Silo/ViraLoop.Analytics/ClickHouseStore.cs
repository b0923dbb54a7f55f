using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace ViraLoop.Analytics;

/// <summary>
/// Engagement events in ClickHouse (18.16 or later) over its HTTP interface.
///
/// <para><b>Tables.</b> <c>engagement_events</c>: MergeTree, PARTITION BY toYYYYMM(ts), ORDER BY (video_id, ts); every row
/// carries the <c>attempt</c> (a random 64-bit id of the INSERT that wrote it). <c>engagement_arm_daily</c>:
/// AggregatingMergeTree ORDER BY (tenant, experiment_id, arm_id, day, attempt), fed by the materialised view
/// <c>engagement_arm_daily_mv</c> on every INSERT into the events table. Queries merge the states (-Merge) over attempts.</para>
///
/// <para><b>Writes.</b> <see cref="AppendAsync"/> validates and buffers; one background writer flushes the buffer in
/// batches (<see cref="ClickHouseStoreOptions.BatchSize"/> events, or <see cref="ClickHouseStoreOptions.FlushInterval"/>
/// after the oldest arrived, or at <see cref="FlushAsync"/>). While ClickHouse is down the writer retries the same batch
/// with exponential backoff and the buffer keeps filling up to <see cref="ClickHouseStoreOptions.MaxBufferedEvents"/>;
/// then appends wait <see cref="ClickHouseStoreOptions.BufferFullWait"/> and throw <see cref="EngagementBufferFullException"/>.</para>
///
/// <para><b>Exactly once.</b> ClickHouse 18.16 has no transactions and no insert deduplication for plain MergeTree, an
/// INSERT whose answer was lost may have landed in full, in part (a body cut at a row boundary, or one part of a batch
/// that spans two months) or not at all, and a view is written after its source table: a server killed in between keeps
/// the events but not their aggregates. So each batch is committed like this, by the one writer:
/// <list type="number">
/// <item>Reconcile every earlier attempt of this batch that failed: wait until no query with its query id still runs on
/// the server (system.processes); then, per month, compare the events that attempt wrote (count() where attempt = A) with
/// what the view wrote for it (countMerge where attempt = A). Equal: nothing to do. View empty: backfill the aggregate
/// rows for (A, month) from the events table with one INSERT … SELECT, itself checked the same way if it fails. A part is
/// atomic, one INSERT of at most 50,000 rows is one block, so a (attempt, month) is either whole or absent in each table.</item>
/// <item>Ask which of the batch's event ids are already stored (by video id, time range and id), and INSERT only the
/// rest under a new attempt id (and query id). That also makes appends idempotent across batches and restarts.</item>
/// <item>Answer 200: the events and their aggregates are both written; the batch is durable.</item>
/// </list>
/// No event is stored twice, so the view never sees one twice; no stored event lacks its aggregate after reconciliation.
/// The condition: one writer per database (one store instance; in the cluster, the silo that owns ingestion). A writer
/// process that dies between an INSERT and its reconciliation can leave events without aggregates (never doubled ones):
/// <see cref="RepairAsync"/> (or <see cref="ClickHouseStoreOptions.RepairOnStart"/>) finds and backfills them.</para>
/// </summary>
public sealed class ClickHouseStore : IEngagementStore
{
    private const int MaxBatchSize = 50_000;
    private const int LookupChunk = 5_000;

    private readonly ClickHouseStoreOptions _options;
    private readonly HttpClient _http;
    private readonly string _db;
    private readonly object _lock = new();
    private readonly Queue<(EngagementEvent Event, long Seq)> _buffer = new();
    private readonly List<(long Target, TaskCompletionSource Done)> _flushWaiters = new();
    private readonly SemaphoreSlim _wake = new(0, int.MaxValue);
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _abandon = new();
    private readonly SemaphoreSlim _schemaLock = new(1, 1);
    private readonly Task _writer;
    private TaskCompletionSource _spaceFreed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private DateTimeOffset _oldestBuffered;
    private long _appendedSeq;
    private long _durableSeq;
    private long _requestedSeq;
    private int _held;
    private bool _schemaReady;
    private bool _repairPending;
    private long _inserted, _duplicates, _retries, _repairs;
    private int _failures;
    private string? _lastError;
    private DateTimeOffset? _failingSince;
    private Exception? _abandoned;

    private ClickHouseStore(ClickHouseStoreOptions options, HttpMessageHandler? handler)
    {
        if (options.BatchSize is < 1 or > MaxBatchSize)
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"BatchSize must be 1..{MaxBatchSize}.");
        }

        if (options.MaxBufferedEvents < options.BatchSize)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "MaxBufferedEvents must be at least BatchSize.");
        }

        _options = options;
        _repairPending = options.RepairOnStart;
        _db = ClickHouseText.Identifier(options.Database);
        _http = handler is null ? new HttpClient() : new HttpClient(handler);
        _http.Timeout = Timeout.InfiniteTimeSpan;
        if (options.User is not null)
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes($"{options.User}:{options.Password}")));
        }

        _writer = Task.Run(WriterLoopAsync);
    }

    /// <summary>A store whose schema is created on first use (the writer retries it during an outage).</summary>
    public static ClickHouseStore Create(ClickHouseStoreOptions options, HttpMessageHandler? handler = null) => new(options, handler);

    /// <summary>A store with its schema created now (idempotent: CREATE … IF NOT EXISTS); throws if ClickHouse is unreachable.</summary>
    public static async Task<ClickHouseStore> StartAsync(ClickHouseStoreOptions options, CancellationToken cancellationToken = default)
    {
        var store = new ClickHouseStore(options, null);
        try
        {
            await store.EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
            if (options.RepairOnStart)
            {
                await store.RepairAsync(cancellationToken).ConfigureAwait(false);
            }

            return store;
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public ClickHouseStoreStatus Status
    {
        get
        {
            lock (_lock)
            {
                return new(_held, Interlocked.Read(ref _inserted), Interlocked.Read(ref _duplicates), Interlocked.Read(ref _retries),
                    Interlocked.Read(ref _repairs), _failures, _lastError, _failingSince);
            }
        }
    }

    // ---------------------------------------------------------------- appends

    public async Task AppendAsync(IReadOnlyList<EngagementEvent> batch, CancellationToken cancellationToken = default)
    {
        EngagementEvent.ValidateBatch(batch);

        if (batch.Count == 0)
        {
            return;
        }

        if (batch.Count > _options.MaxBufferedEvents)
        {
            throw new ArgumentException($"A batch of {batch.Count} events is larger than the whole buffer ({_options.MaxBufferedEvents}).", nameof(batch));
        }

        var deadline = DateTimeOffset.UtcNow + _options.BufferFullWait;
        while (true)
        {
            Task space;
            lock (_lock)
            {
                ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
                if (_held + batch.Count <= _options.MaxBufferedEvents)
                {
                    if (_buffer.Count == 0)
                    {
                        _oldestBuffered = DateTimeOffset.UtcNow;
                    }

                    foreach (var e in batch)
                    {
                        _buffer.Enqueue((e, ++_appendedSeq));
                    }

                    _held += batch.Count;
                    if (_buffer.Count >= _options.BatchSize)
                    {
                        _wake.Release();
                    }

                    return;
                }

                space = _spaceFreed.Task;
            }

            var left = deadline - DateTimeOffset.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                var s = Status;
                throw new EngagementBufferFullException(
                    $"The analytics buffer is full ({s.BufferedEvents} of {_options.MaxBufferedEvents} events held) and stayed full for " +
                    $"{_options.BufferFullWait.TotalSeconds:0.#} s: ClickHouse at {_options.Endpoint} " +
                    (s.FailingSince is { } since ? $"has been failing since {since:O} ({s.ConsecutiveFailures} tries; last error: {s.LastError})." : "is slower than the appends."));
            }

            await Task.WhenAny(space, Task.Delay(left, cancellationToken)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        TaskCompletionSource done;
        lock (_lock)
        {
            if (_abandoned is not null)
            {
                throw new InvalidOperationException("The store was disposed with events it could not write.", _abandoned);
            }

            var target = _appendedSeq;
            if (_durableSeq >= target)
            {
                return;
            }

            done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _flushWaiters.Add((target, done));
            _requestedSeq = Math.Max(_requestedSeq, target);
        }

        _wake.Release();
        await done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task WriterLoopAsync()
    {
        while (true)
        {
            List<(EngagementEvent Event, long Seq)>? batch = null;
            TimeSpan wait;
            bool stopping;
            lock (_lock)
            {
                stopping = _stopping.IsCancellationRequested;
                var due = _buffer.Count > 0 && (_buffer.Count >= _options.BatchSize || stopping || _requestedSeq > _durableSeq ||
                                                DateTimeOffset.UtcNow - _oldestBuffered >= _options.FlushInterval);
                if (due)
                {
                    batch = new List<(EngagementEvent, long)>(Math.Min(_buffer.Count, _options.BatchSize));
                    while (batch.Count < _options.BatchSize && _buffer.TryDequeue(out var item))
                    {
                        batch.Add(item);
                    }

                    // What remains arrived after the batch's events; its age counts from now at the latest.
                    _oldestBuffered = DateTimeOffset.UtcNow;
                    wait = TimeSpan.Zero;
                }
                else if (stopping)
                {
                    return;
                }
                else
                {
                    wait = _buffer.Count == 0 ? _options.FlushInterval : _options.FlushInterval - (DateTimeOffset.UtcNow - _oldestBuffered);
                }
            }

            if (batch is null)
            {
                await _wake.WaitAsync(wait <= TimeSpan.Zero ? TimeSpan.FromMilliseconds(1) : wait).ConfigureAwait(false);
                continue;
            }

            try
            {
                await CommitAsync(batch.Select(b => b.Event).ToList(), _abandon.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException ex) when (_abandon.IsCancellationRequested)
            {
                lock (_lock)
                {
                    _abandoned = new InvalidOperationException(
                        $"{_held} engagement events were not written to ClickHouse at {_options.Endpoint} before the store was disposed; last error: {_lastError}", ex);
                    foreach (var (_, done) in _flushWaiters)
                    {
                        done.TrySetException(_abandoned);
                    }

                    _flushWaiters.Clear();
                }

                return;
            }

            lock (_lock)
            {
                _durableSeq = batch[^1].Seq;
                _held -= batch.Count;
                _spaceFreed.TrySetResult();
                _spaceFreed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _flushWaiters.RemoveAll(w =>
                {
                    if (w.Target > _durableSeq)
                    {
                        return false;
                    }

                    w.Done.TrySetResult();
                    return true;
                });
            }
        }
    }

    /// <summary>Writes one batch exactly once, retrying with backoff until it is durable (see the class comment).</summary>
    private async Task CommitAsync(List<EngagementEvent> batch, CancellationToken cancellationToken)
    {
        // Within a batch the first event with an id wins, as across batches.
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var events = new List<EngagementEvent>(batch.Count);
        foreach (var e in batch)
        {
            if (seen.Add(e.EventId))
            {
                events.Add(e);
            }
        }

        Interlocked.Add(ref _duplicates, batch.Count - events.Count);
        var uncertain = new List<Attempt>();
        var delay = _options.RetryInitialDelay;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
                if (_repairPending)
                {
                    // A store made with Create (ClickHouse perhaps down at start) repairs before its first write instead.
                    await RepairAsync(cancellationToken).ConfigureAwait(false);
                }

                foreach (var earlier in uncertain)
                {
                    await ReconcileAsync(earlier, cancellationToken).ConfigureAwait(false);
                }

                uncertain.Clear();
                var present = await StoredIdsAsync(events, cancellationToken).ConfigureAwait(false);
                var rest = present.Count == 0 ? events : events.Where(e => !present.Contains(e.EventId)).ToList();
                Interlocked.Add(ref _duplicates, events.Count - rest.Count);
                events = rest;
                if (rest.Count == 0)
                {
                    Succeeded();
                    return;
                }

                var attempt = new Attempt(NewAttemptId(), rest);
                uncertain.Add(attempt);
                await InsertAsync(attempt, cancellationToken).ConfigureAwait(false);
                uncertain.Clear();
                Interlocked.Add(ref _inserted, rest.Count);
                Succeeded();
                return;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                Interlocked.Increment(ref _retries);
                lock (_lock)
                {
                    _failures++;
                    _lastError = ex.GetType().Name + ": " + ex.Message;
                    _failingSince ??= DateTimeOffset.UtcNow;
                }

                var jitter = 0.5 + Random.Shared.NextDouble() / 2;
                await Task.Delay(delay * jitter, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.RetryMaxDelay.Ticks));
            }
        }
    }

    private void Succeeded()
    {
        lock (_lock)
        {
            _failures = 0;
            _failingSince = null;
        }
    }

    private sealed record Attempt(ulong Id, List<EngagementEvent> Events)
    {
        public string QueryId => $"viraloop-ingest-{Id:x16}";
        public string BackfillQueryId(int month) => $"viraloop-backfill-{Id:x16}-{month}";
    }

    private static ulong NewAttemptId()
    {
        Span<byte> bytes = stackalloc byte[8];
        RandomNumberGenerator.Fill(bytes);
        return Math.Max(1, BitConverter.ToUInt64(bytes));
    }

    private async Task InsertAsync(Attempt attempt, CancellationToken cancellationToken)
    {
        var sb = new StringBuilder(attempt.Events.Count * 160);
        sb.Append("INSERT INTO ").Append(_db).Append(".engagement_events ")
          .Append("(event_id, tenant, video_id, arm_id, experiment_id, kind, value, value_ms, ts, ts_ms, platform, attempt) FORMAT TabSeparated\n");
        var attemptText = ClickHouseText.Number(attempt.Id);
        foreach (var e in attempt.Events)
        {
            var ms = e.Timestamp.ToUnixTimeMilliseconds();
            ClickHouseText.AppendField(sb, e.EventId); sb.Append('\t');
            ClickHouseText.AppendField(sb, e.Tenant); sb.Append('\t');
            ClickHouseText.AppendField(sb, e.VideoId); sb.Append('\t');
            ClickHouseText.AppendField(sb, e.ArmId); sb.Append('\t');
            ClickHouseText.AppendField(sb, e.ExperimentId); sb.Append('\t');
            sb.Append(e.Kind.Name()).Append('\t');
            sb.Append(ClickHouseText.Number(e.Value)).Append('\t');
            sb.Append(ClickHouseText.Number(e.ValueMilliseconds)).Append('\t');
            sb.Append(ClickHouseText.DateTime(DateTimeOffset.FromUnixTimeMilliseconds(ms))).Append('\t');
            sb.Append(ClickHouseText.Number(ms % 1000)).Append('\t');
            ClickHouseText.AppendField(sb, e.Platform); sb.Append('\t');
            sb.Append(attemptText).Append('\n');
        }

        await SendAsync(sb.ToString(), attempt.QueryId, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Makes an attempt whose answer was lost consistent: its events' aggregates present exactly once.</summary>
    private async Task ReconcileAsync(Attempt attempt, CancellationToken cancellationToken)
    {
        var months = attempt.Events.Select(e => Month(e.Timestamp)).Distinct().ToList();
        await WaitNotRunningAsync([attempt.QueryId, .. months.Select(attempt.BackfillQueryId)], cancellationToken).ConfigureAwait(false);
        var where = $"attempt = {ClickHouseText.Number(attempt.Id)} AND {VideoFilter(attempt.Events)}";
        var raw = await MonthCountsAsync($"SELECT toYYYYMM(ts) AS m, count() FROM {_db}.engagement_events WHERE {where} GROUP BY m", cancellationToken).ConfigureAwait(false);
        var agg = await MonthCountsAsync(
            $"SELECT toYYYYMM(day) AS m, countMerge(events) FROM {_db}.engagement_arm_daily WHERE attempt = {ClickHouseText.Number(attempt.Id)} GROUP BY m",
            cancellationToken).ConfigureAwait(false);
        foreach (var (month, count) in raw)
        {
            var have = agg.GetValueOrDefault(month);
            if (have == count)
            {
                continue;
            }

            if (have != 0)
            {
                // Cannot happen while one INSERT is one block (BatchSize ≤ 50,000); say so rather than guess.
                throw new InvalidOperationException(
                    $"attempt {attempt.Id:x16}, month {month}: {count} events but aggregates for {have}; the aggregate table needs a manual rebuild");
            }

            Interlocked.Increment(ref _repairs);
            await SendAsync(
                $"INSERT INTO {_db}.engagement_arm_daily {AggregateSelect($"{where} AND toYYYYMM(ts) = {month}")}",
                attempt.BackfillQueryId(month), null, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Backfills the aggregates of every (attempt, month) whose events are stored but whose aggregates are not: what a
    /// writer process that died between an INSERT and its reconciliation leaves behind. Scans the whole events table;
    /// with <see cref="ClickHouseStoreOptions.RepairOnStart"/>, <see cref="StartAsync"/> runs it before the store takes appends,
    /// and a store made by <see cref="Create"/> before its first write. Returns how many (attempt, month) it backfilled.
    /// </summary>
    public async Task<int> RepairAsync(CancellationToken cancellationToken = default)
    {
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        var sql = $"SELECT attempt, m, n, a FROM (SELECT attempt, toYYYYMM(ts) AS m, count() AS n FROM {_db}.engagement_events GROUP BY attempt, m) " +
                  $"ANY LEFT JOIN (SELECT attempt, toYYYYMM(day) AS m, countMerge(events) AS a FROM {_db}.engagement_arm_daily GROUP BY attempt, m) " +
                  "USING attempt, m WHERE n != a FORMAT TabSeparated";
        var repaired = 0;
        foreach (var row in ClickHouseText.ParseRows(await QueryAsync(sql, cancellationToken).ConfigureAwait(false)))
        {
            var attempt = ulong.Parse(row[0], CultureInfo.InvariantCulture);
            var month = int.Parse(row[1], CultureInfo.InvariantCulture);
            var queryId = $"viraloop-backfill-{attempt:x16}-{month}";
            await WaitNotRunningAsync([$"viraloop-ingest-{attempt:x16}", queryId], cancellationToken).ConfigureAwait(false);

            // Counted again once nothing of it runs: the scan may have seen an insert (or a backfill) half way, whose view
            // rows have landed since.
            var id = ClickHouseText.Number(attempt);
            var events = L(await QueryAsync($"SELECT count() FROM {_db}.engagement_events WHERE attempt = {id} AND toYYYYMM(ts) = {month} FORMAT TabSeparated",
                cancellationToken).ConfigureAwait(false));
            var have = L(await QueryAsync($"SELECT countMerge(events) FROM {_db}.engagement_arm_daily WHERE attempt = {id} AND toYYYYMM(day) = {month} FORMAT TabSeparated",
                cancellationToken).ConfigureAwait(false));
            if (have == events)
            {
                continue;
            }

            if (have != 0)
            {
                throw new InvalidOperationException(
                    $"attempt {attempt:x16}, month {month}: {events} events but aggregates for {have}; the aggregate table needs a manual rebuild");
            }

            await SendAsync($"INSERT INTO {_db}.engagement_arm_daily {AggregateSelect($"attempt = {id} AND toYYYYMM(ts) = {month}")}",
                queryId, null, cancellationToken).ConfigureAwait(false);
            Interlocked.Increment(ref _repairs);
            repaired++;
        }

        _repairPending = false;
        return repaired;
    }

    private async Task WaitNotRunningAsync(IReadOnlyList<string> queryIds, CancellationToken cancellationToken)
    {
        var list = string.Join(", ", queryIds.Select(ClickHouseText.Literal));
        var until = DateTimeOffset.UtcNow + _options.RequestTimeout * 2;
        while (true)
        {
            var running = await QueryAsync($"SELECT count() FROM system.processes WHERE query_id IN ({list}) FORMAT TabSeparated", cancellationToken).ConfigureAwait(false);
            if (running.Trim() == "0")
            {
                return;
            }

            if (DateTimeOffset.UtcNow > until)
            {
                throw new TimeoutException($"an earlier insert ({queryIds[0]}) is still running on the server");
            }

            await Task.Delay(200, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<Dictionary<int, long>> MonthCountsAsync(string sql, CancellationToken cancellationToken)
    {
        var rows = ClickHouseText.ParseRows(await QueryAsync(sql + " FORMAT TabSeparated", cancellationToken).ConfigureAwait(false));
        return rows.ToDictionary(r => int.Parse(r[0], CultureInfo.InvariantCulture), r => long.Parse(r[1], CultureInfo.InvariantCulture));
    }

    private static int Month(DateTimeOffset ts)
    {
        var u = ts.UtcDateTime;
        return u.Year * 100 + u.Month;
    }

    /// <summary>A WHERE clause that uses the primary key (video_id, ts) to find the given events' rows.</summary>
    private static string VideoFilter(IReadOnlyCollection<EngagementEvent> events)
    {
        var min = events.Min(e => e.Timestamp);
        var max = events.Max(e => e.Timestamp);
        var videos = string.Join(", ", events.Select(e => e.VideoId).Distinct(StringComparer.Ordinal).Select(ClickHouseText.Literal));
        return $"video_id IN ({videos}) AND ts >= toDateTime({ClickHouseText.Literal(ClickHouseText.DateTime(min.AddSeconds(-1)))}, 'UTC') " +
               $"AND ts <= toDateTime({ClickHouseText.Literal(ClickHouseText.DateTime(max.AddSeconds(1)))}, 'UTC')";
    }

    private async Task<HashSet<string>> StoredIdsAsync(List<EngagementEvent> events, CancellationToken cancellationToken)
    {
        var present = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < events.Count; i += LookupChunk)
        {
            var chunk = events.GetRange(i, Math.Min(LookupChunk, events.Count - i));
            var ids = string.Join(", ", chunk.Select(e => ClickHouseText.Literal(e.EventId)));
            var sql = $"SELECT event_id FROM {_db}.engagement_events WHERE {VideoFilter(chunk)} AND event_id IN ({ids}) FORMAT TabSeparated";
            foreach (var row in ClickHouseText.ParseRows(await QueryAsync(sql, cancellationToken).ConfigureAwait(false)))
            {
                present.Add(row[0]);
            }
        }

        return present;
    }

    // ---------------------------------------------------------------- schema

    private string AggregateSelect(string? where) =>
        "SELECT CAST(tenant AS String) AS tenant, experiment_id, arm_id, toDate(ts) AS day, attempt, " +
        "countState() AS events, " +
        "sumState(toUInt64(kind = 'impression')) AS impressions, " +
        "sumState(toUInt64(kind = 'click')) AS clicks, " +
        "sumState(toUInt64(kind = 'view-started')) AS views_started, " +
        "sumState(toUInt64(kind = 'completed')) AS completions, " +
        "sumState(toUInt64(kind = 'watch-time')) AS watch_sessions, " +
        "sumState(toInt64(value_ms)) AS watch_ms " +
        $"FROM {_db}.engagement_events " + (where is null ? "" : $"WHERE {where} ") +
        "GROUP BY tenant, experiment_id, arm_id, day, attempt";

    private IEnumerable<string> SchemaStatements()
    {
        yield return $"CREATE DATABASE IF NOT EXISTS {_db}";
        yield return $"""
            CREATE TABLE IF NOT EXISTS {_db}.engagement_events (
              event_id String,
              tenant LowCardinality(String),
              video_id String,
              arm_id String,
              experiment_id String,
              kind {EngagementKinds.ClickHouseEnum()},
              value Float64,
              value_ms Int64,
              ts DateTime('UTC'),
              ts_ms UInt16,
              platform LowCardinality(String),
              attempt UInt64
            ) ENGINE = MergeTree() PARTITION BY toYYYYMM(ts) ORDER BY (video_id, ts)
            """;
        yield return $"""
            CREATE TABLE IF NOT EXISTS {_db}.engagement_arm_daily (
              tenant String,
              experiment_id String,
              arm_id String,
              day Date,
              attempt UInt64,
              events AggregateFunction(count),
              impressions AggregateFunction(sum, UInt64),
              clicks AggregateFunction(sum, UInt64),
              views_started AggregateFunction(sum, UInt64),
              completions AggregateFunction(sum, UInt64),
              watch_sessions AggregateFunction(sum, UInt64),
              watch_ms AggregateFunction(sum, Int64)
            ) ENGINE = AggregatingMergeTree() PARTITION BY toYYYYMM(day) ORDER BY (tenant, experiment_id, arm_id, day, attempt)
            """;
        yield return $"CREATE MATERIALIZED VIEW IF NOT EXISTS {_db}.engagement_arm_daily_mv TO {_db}.engagement_arm_daily AS {AggregateSelect(null)}";
    }

    private async Task EnsureSchemaAsync(CancellationToken cancellationToken)
    {
        if (_schemaReady)
        {
            return;
        }

        await _schemaLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_schemaReady)
            {
                return;
            }

            foreach (var sql in SchemaStatements())
            {
                await SendAsync(sql, null, "allow_experimental_low_cardinality_type=1", cancellationToken).ConfigureAwait(false);
            }

            _schemaReady = true;
        }
        finally
        {
            _schemaLock.Release();
        }
    }

    // ---------------------------------------------------------------- queries

    public async Task<IReadOnlyList<ArmDay>> GetArmDailyAsync(string tenant, string experimentId, DateOnly? from = null, DateOnly? to = null,
        CancellationToken cancellationToken = default)
    {
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        var sql = new StringBuilder();
        sql.Append("SELECT arm_id, day, countMerge(events), sumMerge(impressions), sumMerge(clicks), sumMerge(views_started), ")
           .Append("sumMerge(completions), sumMerge(watch_sessions), sumMerge(watch_ms) ")
           .Append($"FROM {_db}.engagement_arm_daily WHERE tenant = {ClickHouseText.Literal(tenant)} AND experiment_id = {ClickHouseText.Literal(experimentId)}");
        if (from is { } f)
        {
            sql.Append($" AND day >= toDate({ClickHouseText.Literal(ClickHouseText.Date(f))})");
        }

        if (to is { } t)
        {
            sql.Append($" AND day <= toDate({ClickHouseText.Literal(ClickHouseText.Date(t))})");
        }

        sql.Append(" GROUP BY arm_id, day FORMAT TabSeparated");
        var rows = ClickHouseText.ParseRows(await QueryAsync(sql.ToString(), cancellationToken).ConfigureAwait(false));
        return rows
            .Select(r => new ArmDay(r[0], DateOnly.ParseExact(r[1], "yyyy-MM-dd", CultureInfo.InvariantCulture),
                L(r[2]), L(r[3]), L(r[4]), L(r[5]), L(r[6]), L(r[7]), L(r[8])))
            .OrderBy(a => a.ArmId, StringComparer.Ordinal).ThenBy(a => a.Day)
            .ToList();
    }

    public async Task<IReadOnlyList<VideoTotals>> GetVideoTotalsAsync(string tenant, CancellationToken cancellationToken = default)
    {
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        var sql = "SELECT video_id, count(), countIf(kind = 'impression'), countIf(kind = 'click'), countIf(kind = 'view-started'), " +
                  "countIf(kind = 'completed'), countIf(kind = 'watch-time'), sum(value_ms) " +
                  $"FROM {_db}.engagement_events WHERE tenant = {ClickHouseText.Literal(tenant)} GROUP BY video_id FORMAT TabSeparated";
        var rows = ClickHouseText.ParseRows(await QueryAsync(sql, cancellationToken).ConfigureAwait(false));
        return rows
            .Select(r => new VideoTotals(r[0], L(r[1]), L(r[2]), L(r[3]), L(r[4]), L(r[5]), L(r[6]), L(r[7])))
            .OrderBy(v => v.VideoId, StringComparer.Ordinal)
            .ToList();
    }

    public async Task<long> CountEventAsync(string eventId, CancellationToken cancellationToken = default)
    {
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        var text = await QueryAsync($"SELECT count() FROM {_db}.engagement_events WHERE event_id = {ClickHouseText.Literal(eventId)} FORMAT TabSeparated",
            cancellationToken).ConfigureAwait(false);
        return L(text.Trim());
    }

    public async Task<EngagementEvent?> GetEventAsync(string eventId, CancellationToken cancellationToken = default)
    {
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        var sql = "SELECT event_id, tenant, video_id, arm_id, experiment_id, kind, value, toUInt32(ts), ts_ms, platform " +
                  $"FROM {_db}.engagement_events WHERE event_id = {ClickHouseText.Literal(eventId)} LIMIT 1 FORMAT TabSeparated";
        var rows = ClickHouseText.ParseRows(await QueryAsync(sql, cancellationToken).ConfigureAwait(false));
        if (rows.Count == 0)
        {
            return null;
        }

        var r = rows[0];
        return new EngagementEvent(r[0], r[1], r[2], r[3], r[4], EngagementKinds.Parse(r[5]),
            double.Parse(r[6], NumberStyles.Float, CultureInfo.InvariantCulture),
            DateTimeOffset.FromUnixTimeMilliseconds(L(r[7]) * 1000 + L(r[8])), r[9]);
    }

    private static long L(string s) => long.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture);

    // ---------------------------------------------------------------- HTTP

    private Task<string> QueryAsync(string sql, CancellationToken cancellationToken) => SendAsync(sql, null, "max_query_size=104857600", cancellationToken);

    private async Task<string> SendAsync(string body, string? queryId, string? settings, CancellationToken cancellationToken)
    {
        var url = new StringBuilder(_options.Endpoint.GetLeftPart(UriPartial.Path));
        url.Append("?max_query_size=104857600");
        if (queryId is not null)
        {
            url.Append("&query_id=").Append(Uri.EscapeDataString(queryId));
        }

        if (settings is not null && !settings.StartsWith("max_query_size", StringComparison.Ordinal))
        {
            url.Append('&').Append(settings);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.RequestTimeout);
        using var content = new StringContent(body, new UTF8Encoding(false), "text/plain");
        using var response = await _http.PostAsync(url.ToString(), content, timeout.Token).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new ClickHouseException((int)response.StatusCode, $"ClickHouse answered {(int)response.StatusCode}: {text.Trim()}");
        }

        return text;
    }

    // ---------------------------------------------------------------- lifetime

    /// <summary>Writes what is buffered (for up to <see cref="ClickHouseStoreOptions.DisposeFlushTimeout"/>), then stops.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_lock)
        {
            if (_stopping.IsCancellationRequested)
            {
                return;
            }

            _stopping.Cancel();
        }

        _wake.Release();
        _abandon.CancelAfter(_options.DisposeFlushTimeout);
        try
        {
            await _writer.ConfigureAwait(false);
        }
        finally
        {
            _http.Dispose();
        }
    }
}
