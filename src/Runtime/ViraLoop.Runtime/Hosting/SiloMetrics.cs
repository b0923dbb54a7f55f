namespace ViraLoop.Runtime.Hosting;

/// <summary>Counters of one silo, read by the dashboard and by tests.</summary>
public sealed class SiloMetrics
{
    private long _delivered, _completed, _handlerFailures, _fenced, _deadLettered, _stale, _activations, _activated;

    public long MessagesDelivered => Interlocked.Read(ref _delivered);
    public long TurnsCompleted => Interlocked.Read(ref _completed);
    public long HandlerFailures => Interlocked.Read(ref _handlerFailures);
    /// <summary>Turns dropped because their state write carried a stale ETag.</summary>
    public long FencedWrites => Interlocked.Read(ref _fenced);
    public long DeadLettered => Interlocked.Read(ref _deadLettered);
    /// <summary>Deliveries dropped because their channel died (the broker redelivers them elsewhere).</summary>
    public long StaleDropped => Interlocked.Read(ref _stale);
    public long ActiveActivations => Interlocked.Read(ref _activations);
    public long ActivationsCreated => Interlocked.Read(ref _activated);

    internal void Delivered() => Interlocked.Increment(ref _delivered);
    internal void Completed() => Interlocked.Increment(ref _completed);
    internal void HandlerFailed() => Interlocked.Increment(ref _handlerFailures);
    internal void Fenced() => Interlocked.Increment(ref _fenced);
    internal void DeadLetter() => Interlocked.Increment(ref _deadLettered);
    internal void Stale() => Interlocked.Increment(ref _stale);
    internal void Activated() { Interlocked.Increment(ref _activations); Interlocked.Increment(ref _activated); }
    internal void Deactivated() => Interlocked.Decrement(ref _activations);

    public IReadOnlyDictionary<string, long> Snapshot() => new Dictionary<string, long>
    {
        ["delivered"] = MessagesDelivered, ["completed"] = TurnsCompleted, ["handlerFailures"] = HandlerFailures,
        ["fencedWrites"] = FencedWrites, ["deadLettered"] = DeadLettered, ["staleDropped"] = StaleDropped,
        ["activations"] = ActiveActivations, ["activationsCreated"] = ActivationsCreated,
    };
}
