namespace ViraLoop.Grains.Messages;

/// <summary>
/// One timed piece of a job's work as its trace shows it: what ran, on which silo, when and for how long, and how it
/// ended (<c>ok</c>, <c>error</c>, or <c>cached</c> for a result made earlier for another job). The ids are W3C trace
/// context ids: the same span is exported through OpenTelemetry when an exporter is configured.
/// </summary>
[GenerateSerializer, Immutable, Alias("vl.job-span")]
public sealed record JobSpan(
    [property: Id(0)] string Name,
    [property: Id(1)] string Silo,
    [property: Id(2)] DateTimeOffset Start,
    [property: Id(3)] double Seconds,
    [property: Id(4)] string TraceId,
    [property: Id(5)] string SpanId,
    [property: Id(6)] string? ParentSpanId,
    [property: Id(7)] string Status,
    [property: Id(8)] string? Detail = null);

/// <summary>A job's trace: its W3C trace id and its spans, in start order.</summary>
[GenerateSerializer, Immutable, Alias("vl.job-trace")]
public sealed record JobTrace(
    [property: Id(0)] string JobId,
    [property: Id(1)] string TenantId,
    [property: Id(2)] string TraceId,
    [property: Id(3)] JobStatus Status,
    [property: Id(4)] IReadOnlyList<JobSpan> Spans);
