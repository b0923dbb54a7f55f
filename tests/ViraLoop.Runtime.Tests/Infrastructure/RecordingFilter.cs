using System.Collections.Concurrent;
using ViraLoop.Runtime.TestGrains;

namespace ViraLoop.Runtime.Tests.Infrastructure;

/// <summary>A call filter that records every turn and rewrites one result, to prove filters wrap the call.</summary>
public sealed class RecordingFilter : IIncomingGrainCallFilter
{
    public ConcurrentQueue<(GrainId Grain, string Method)> Calls { get; } = new();

    public async Task InvokeAsync(IIncomingGrainCallContext context)
    {
        Calls.Enqueue((context.Grain, context.Method));
        await context.InvokeAsync();
        if (context.Arguments is [Payload { Name: "filter-me" }]) context.Result = "filtered";
    }
}
