using ViraLoop.Runtime.Hosting;
using ViraLoop.Runtime.Messaging;

namespace ViraLoop.Runtime.Embedded;

/// <summary>Embedded mode: envelopes go straight into the mailbox of the activation; replies complete a task.</summary>
public sealed class InProcessTransport : IMessageTransport
{
    private volatile IMessageSink? _sink;
    private volatile bool _stopped;

    public bool SerializesMessages => false;
    public event Action? OwnershipLost { add { } remove { } }

    public Task ConnectAsync(SiloOptions options, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task StartConsumingAsync(IReadOnlyCollection<GrainInterfaceInfo> hostedTypes, IMessageSink sink, CancellationToken cancellationToken = default)
    {
        _sink = sink;
        return Task.CompletedTask;
    }

    public Task StopConsumingAsync(CancellationToken cancellationToken = default)
    {
        _stopped = true;
        return Task.CompletedTask;
    }

    private IMessageSink Sink => _stopped
        ? throw new GrainRuntimeException("The silo is stopping: it accepts no new messages.")
        : _sink ?? throw new GrainRuntimeException("The silo is not started.");

    public ValueTask SendAsync(Envelope envelope, CancellationToken cancellationToken = default)
    {
        Sink.Deliver(new Delivery(envelope, null));
        return ValueTask.CompletedTask;
    }

    public async Task<ResponseMessage> RequestAsync(Envelope envelope, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var reply = new TaskCompletionSource<ResponseMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        Sink.Deliver(new Delivery(envelope, reply));
        try { return await reply.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false); }
        catch (TimeoutException) { throw new GrainCallTimeoutException(envelope.Target, envelope.Method, timeout); }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private sealed class Delivery(Envelope envelope, TaskCompletionSource<ResponseMessage>? reply) : InboundMessage(envelope)
    {
        public override ValueTask AckAsync() => ValueTask.CompletedTask;

        public override ValueTask ReplyAsync(ResponseMessage response)
        {
            reply?.TrySetResult(response);
            return ValueTask.CompletedTask;
        }
    }
}
