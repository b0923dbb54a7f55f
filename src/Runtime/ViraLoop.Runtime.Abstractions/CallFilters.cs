namespace ViraLoop.Runtime;

/// <summary>One incoming grain call as filters see it (Orleans' IIncomingGrainCallContext).</summary>
public interface IIncomingGrainCallContext
{
    GrainId Grain { get; }
    string Method { get; }
    IReadOnlyList<object?> Arguments { get; }
    string MessageId { get; }
    /// <summary>The handler's result, available after <see cref="InvokeAsync"/>; a filter may replace it.</summary>
    object? Result { get; set; }
    /// <summary>Runs the next filter, or the grain method itself.</summary>
    Task InvokeAsync();
}

/// <summary>Runs around every turn of every grain on the silo: tracing, metrics, authorization, logging.</summary>
public interface IIncomingGrainCallFilter
{
    Task InvokeAsync(IIncomingGrainCallContext context);
}
