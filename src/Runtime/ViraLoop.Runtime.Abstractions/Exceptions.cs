namespace ViraLoop.Runtime;

public class GrainRuntimeException : Exception
{
    public GrainRuntimeException(string message) : base(message) { }
    public GrainRuntimeException(string message, Exception? inner) : base(message, inner) { }
}

/// <summary>A grain handler threw; carries the remote exception's type and message.</summary>
public sealed class GrainCallException(GrainId grain, string method, string remoteType, string remoteMessage)
    : GrainRuntimeException($"{grain}.{method} failed: {remoteType}: {remoteMessage}")
{
    public GrainId Grain { get; } = grain;
    public string Method { get; } = method;
    public string RemoteExceptionType { get; } = remoteType;
    public string RemoteMessage { get; } = remoteMessage;
}

/// <summary>No response within the call timeout (default 30 s), e.g. a call cycle between non-reentrant grains.</summary>
public sealed class GrainCallTimeoutException(GrainId grain, string method, TimeSpan timeout)
    : GrainRuntimeException($"{grain}.{method} did not answer within {timeout.TotalSeconds:0.###} s")
{
    public GrainId Grain { get; } = grain;
    public string Method { get; } = method;
}

/// <summary>A state write carried a stale ETag: another activation wrote first. The turn is dropped.</summary>
public sealed class InconsistentStateException(GrainId grain, string stateName, string? expectedEtag)
    : GrainRuntimeException($"State '{stateName}' of {grain} changed under this activation (expected ETag '{expectedEtag ?? "<none>"}'): write rejected")
{
    public GrainId Grain { get; } = grain;
    public string StateName { get; } = stateName;
}

/// <summary>An argument or result could not be serialized for the wire.</summary>
public sealed class GrainSerializationException(string message, Exception? inner = null) : GrainRuntimeException(message, inner);

/// <summary>A grain interface or type name the runtime does not know.</summary>
public sealed class UnknownGrainTypeException(string message) : GrainRuntimeException(message);
