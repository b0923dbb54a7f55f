using System.Diagnostics;

namespace ViraLoop.Runtime.Hosting;

/// <summary>
/// Traces: every turn is an Activity ("grain counter.Increment", kind Server) whose parent is the caller's
/// Activity, carried in the message (W3C traceparent), so a trace follows a call across silos.
/// OpenTelemetry picks it up with <c>AddSource(RuntimeTelemetry.SourceName)</c>.
/// </summary>
public static class RuntimeTelemetry
{
    public const string SourceName = "ViraLoop.Runtime";
    public static readonly ActivitySource Source = new(SourceName);

    internal static Activity? StartTurn(GrainId grain, string method, string? traceParent, string messageId)
    {
        if (!Source.HasListeners()) return null;
        ActivityContext.TryParse(traceParent, null, out var parent);
        var a = Source.StartActivity($"grain {grain.Type}.{method}", ActivityKind.Server, parent);
        a?.SetTag("viraloop.grain.type", grain.Type);
        a?.SetTag("viraloop.grain.key", grain.Key);
        a?.SetTag("viraloop.message.id", messageId);
        return a;
    }
}
