namespace ViraLoop.Runtime.Messaging;

/// <summary>A message to a grain. In-process transports carry <see cref="Args"/>; wire transports carry <see cref="Body"/>.</summary>
public sealed class Envelope
{
    public required string MessageId { get; init; }
    public required GrainId Target { get; init; }
    public required string Method { get; init; }
    public bool OneWay { get; init; }
    public int Attempt { get; set; }
    public object?[]? Args { get; init; }
    public ReadOnlyMemory<byte> Body { get; init; }
    /// <summary>Unix milliseconds after which the caller no longer waits (0: none).</summary>
    public long DeadlineUnixMs { get; init; }
    public string? SenderSilo { get; init; }
    /// <summary>W3C traceparent of the caller's Activity, so traces cross silos.</summary>
    public string? TraceParent { get; init; }

    /// <summary>Name of the internal method that delivers reminder ticks.</summary>
    public const string ReminderMethod = "__reminder";
}

/// <summary>The answer to a request.</summary>
public sealed class ResponseMessage
{
    public bool Ok { get; init; }
    public object? Value { get; init; }
    public ReadOnlyMemory<byte> Body { get; init; }
    public bool HasBody { get; init; }
    public string? ErrorType { get; init; }
    public string? ErrorMessage { get; init; }
    /// <summary>True when the error is the runtime's (unknown method, undeserialisable message), not the handler's.</summary>
    public bool RuntimeError { get; init; }
}

/// <summary>A delivered message; the transport decides what acknowledging and replying mean.</summary>
public abstract class InboundMessage(Envelope envelope)
{
    public Envelope Envelope { get; } = envelope;

    /// <summary>The partition the delivery came from ("type/index"), where the transport has partitions.</summary>
    public virtual string? Partition => null;

    /// <summary>True when the delivery can no longer be acknowledged (its channel died): the broker has given it to another silo.</summary>
    public virtual bool IsStale => false;

    /// <summary>The message is done with (state stored, reply sent): remove it from the queue.</summary>
    public abstract ValueTask AckAsync();

    public abstract ValueTask ReplyAsync(ResponseMessage response);

    /// <summary>Gives the message back to the broker for redelivery (it could not be settled, e.g. the store is down).</summary>
    public virtual ValueTask RequeueAsync() => ValueTask.CompletedTask;
}
