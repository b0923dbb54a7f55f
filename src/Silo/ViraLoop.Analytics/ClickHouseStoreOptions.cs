namespace ViraLoop.Analytics;

public sealed class ClickHouseStoreOptions
{
    /// <summary>ClickHouse's HTTP interface, e.g. http://127.0.0.1:8123 (VIRALOOP_CLICKHOUSE).</summary>
    public required Uri Endpoint { get; init; }

    /// <summary>Database the store creates and writes (letters, digits, underscores).</summary>
    public string Database { get; init; } = "viraloop";

    public string? User { get; init; }
    public string? Password { get; init; }

    /// <summary>Events per INSERT (at most 50,000: one INSERT must stay one block, see <see cref="ClickHouseStore"/>).</summary>
    public int BatchSize { get; init; } = 10_000;

    /// <summary>Buffered events are flushed at the latest this long after the oldest of them arrived.</summary>
    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Events held in memory (buffered and in flight) before <see cref="ClickHouseStore.AppendAsync"/> pushes back.</summary>
    public int MaxBufferedEvents { get; init; } = 1_000_000;

    /// <summary>How long an append waits for room in a full buffer before it throws <see cref="EngagementBufferFullException"/>.</summary>
    public TimeSpan BufferFullWait { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan RetryInitialDelay { get; init; } = TimeSpan.FromMilliseconds(100);
    public TimeSpan RetryMaxDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>One HTTP request's limit.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Run <see cref="ClickHouseStore.RepairAsync"/> (a scan of the whole events table) once, before the store's first write:
    /// <see cref="ClickHouseStore.StartAsync"/> before it returns, a store made by <see cref="ClickHouseStore.Create"/> when
    /// its first batch is due. For a writer that may follow a crashed one (the silos set it).
    /// </summary>
    public bool RepairOnStart { get; init; }

    /// <summary>How long <see cref="ClickHouseStore.DisposeAsync"/> keeps trying to write what is still buffered.</summary>
    public TimeSpan DisposeFlushTimeout { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>The in-memory buffer stayed full for <see cref="ClickHouseStoreOptions.BufferFullWait"/>: ClickHouse is down or slower than the appends.</summary>
public sealed class EngagementBufferFullException(string message) : Exception(message);

/// <summary>ClickHouse answered an HTTP request with an error.</summary>
public sealed class ClickHouseException(int statusCode, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;
}

/// <summary>A snapshot of the writer: what is buffered and, during an outage, why it is not being written.</summary>
public sealed record ClickHouseStoreStatus(
    int BufferedEvents,
    long InsertedEvents,
    long DuplicatesSkipped,
    long Retries,
    long Repairs,
    int ConsecutiveFailures,
    string? LastError,
    DateTimeOffset? FailingSince);
