using System.Diagnostics;
using ViraLoop.Grains.Messages;

namespace ViraLoop.Grains.Execution;

/// <summary>
/// ViraLoop's spans (activity source <c>ViraLoop</c>): a job's submission is the root; every step, voice and visual is a
/// child of it, on whichever silo runs it, through the W3C <c>traceparent</c> the job keeps in its state and passes in
/// its orders. Each span is also returned as a <see cref="JobSpan"/> that the job keeps, so its trace can be shown
/// without a collector; the ids are the same ones exported through OpenTelemetry.
/// </summary>
public static class ViraLoopTracing
{
    public const string SourceName = "ViraLoop";
    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>Starts the job's root span (a child of the caller's span, when there is one) and gives its traceparent.</summary>
    public static string StartJob(string jobKey, string tenant, string silo)
    {
        using var activity = Source.StartActivity("video.submit", ActivityKind.Server);
        activity?.SetTag("viraloop.job", jobKey);
        activity?.SetTag("viraloop.tenant", tenant);
        activity?.SetTag("viraloop.silo", silo);
        return activity is { IdFormat: ActivityIdFormat.W3C, Id: { } id } ? id
            : $"00-{ActivityTraceId.CreateRandom().ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01";
    }

    /// <summary>The trace id of a traceparent (32 hex digits; empty when it is not one).</summary>
    public static string TraceIdOf(string? traceParent) =>
        ActivityContext.TryParse(traceParent, null, out var c) ? c.TraceId.ToHexString() : "";

    /// <summary>Starts a span under the job's traceparent; <see cref="Span.End"/> stops it and describes it.</summary>
    public static Span Start(string name, string? traceParent, string jobKey, string silo, params (string Key, object? Value)[] tags)
    {
        ActivityContext.TryParse(traceParent, null, out var parent);
        var activity = Source.StartActivity(name, ActivityKind.Internal, parent);
        activity?.SetTag("viraloop.job", jobKey);
        activity?.SetTag("viraloop.silo", silo);
        foreach (var (k, v) in tags) activity?.SetTag(k, v);
        return new Span(name, silo, parent, activity);
    }

    /// <summary>A span that already happened (a wait, e.g. for approval), from <paramref name="start"/> to now.</summary>
    public static JobSpan Record(string name, string? traceParent, string jobKey, string silo, DateTimeOffset start, string? detail = null)
    {
        ActivityContext.TryParse(traceParent, null, out var parent);
        var end = DateTimeOffset.UtcNow;
        var activity = Source.StartActivity(name, ActivityKind.Internal, parent, startTime: start);
        activity?.SetTag("viraloop.job", jobKey);
        activity?.SetTag("viraloop.silo", silo);
        if (detail is not null) activity?.SetTag("viraloop.detail", detail);
        activity?.SetEndTime(end.UtcDateTime);
        activity?.Stop();
        return new JobSpan(name, silo, start, Math.Round(Math.Max(0, (end - start).TotalSeconds), 3), parent.TraceId.ToHexString(),
            activity?.SpanId.ToHexString() ?? ActivitySpanId.CreateRandom().ToHexString(), parent.SpanId != default ? parent.SpanId.ToHexString() : null,
            "ok", detail);
    }

    /// <summary>A span in progress: an activity when something listens, and always the ids and times the job keeps.</summary>
    public sealed class Span
    {
        private readonly string _name, _silo;
        private readonly ActivityContext _parent;
        private readonly Activity? _activity;
        private readonly DateTimeOffset _start = DateTimeOffset.UtcNow;
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly string _spanId;

        internal Span(string name, string silo, ActivityContext parent, Activity? activity)
        {
            (_name, _silo, _parent, _activity) = (name, silo, parent, activity);
            _spanId = activity?.SpanId.ToHexString() ?? ActivitySpanId.CreateRandom().ToHexString();
        }

        /// <summary>Stops the span: <paramref name="error"/> null is success.</summary>
        public JobSpan End(string? error = null, string? detail = null)
        {
            if (_activity is not null)
            {
                if (error is not null) _activity.SetStatus(ActivityStatusCode.Error, error);
                if (detail is not null) _activity.SetTag("viraloop.detail", detail);
                _activity.Stop();
            }
            var traceId = _parent.TraceId != default ? _parent.TraceId.ToHexString() : _activity?.TraceId.ToHexString() ?? "";
            var parentId = _parent.SpanId != default ? _parent.SpanId.ToHexString() : null;
            return new JobSpan(_name, _silo, _start, Math.Round(_clock.Elapsed.TotalSeconds, 3), traceId, _spanId, parentId,
                error is null ? "ok" : "error", error ?? detail);
        }
    }
}
