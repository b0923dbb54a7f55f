namespace ViraLoop.Runtime;

/// <summary>Marker for grain interfaces. Methods return <see cref="Task"/> or <see cref="Task{TResult}"/>; a trailing <see cref="CancellationToken"/> is honoured.</summary>
public interface IGrain;

/// <summary>Creates references to grains; a reference is cheap and valid anywhere in the cluster.</summary>
public interface IGrainFactory
{
    TGrain GetGrain<TGrain>(string key) where TGrain : IGrain;
}

public static class GrainFactoryExtensions
{
    public static TGrain GetGrain<TGrain>(this IGrainFactory factory, Guid key) where TGrain : IGrain =>
        factory.GetGrain<TGrain>(key.ToString("N"));

    public static TGrain GetGrain<TGrain>(this IGrainFactory factory, long key) where TGrain : IGrain =>
        factory.GetGrain<TGrain>(key.ToString(System.Globalization.CultureInfo.InvariantCulture));
}

/// <summary>Persistent grain state with an ETag. A write with a stale ETag throws <see cref="InconsistentStateException"/>.</summary>
public interface IPersistentState<TState> where TState : class, new()
{
    TState State { get; set; }
    string? Etag { get; }
    bool RecordExists { get; }
    Task ReadStateAsync(CancellationToken cancellationToken = default);
    Task WriteStateAsync(CancellationToken cancellationToken = default);
    Task ClearStateAsync(CancellationToken cancellationToken = default);
}

/// <summary>Implemented by a grain class that receives durable reminders.</summary>
public interface IRemindable
{
    Task ReceiveReminderAsync(string reminderName, CancellationToken cancellationToken);
}

public interface IStreamProvider
{
    IAsyncStream<T> GetStream<T>(string streamNamespace, string key);
}

/// <summary>An ordered, at-least-once stream of events. Subscribers receive events in publish order per stream.</summary>
public interface IAsyncStream<T>
{
    StreamId Id { get; }
    Task OnNextAsync(T item, CancellationToken cancellationToken = default);
    Task<IAsyncDisposable> SubscribeAsync(Func<T, CancellationToken, Task> onNext, CancellationToken cancellationToken = default);
}

/// <summary>What the runtime gives an activation. Grain code sees the same contract in every mode.</summary>
public interface IGrainContext
{
    GrainId GrainId { get; }
    string SiloId { get; }
    IGrainFactory GrainFactory { get; }
    IStreamProvider Streams { get; }
    IDisposable RegisterTimer(Func<CancellationToken, Task> callback, TimeSpan dueTime, TimeSpan period);
    Task RegisterOrUpdateReminderAsync(string name, TimeSpan dueTime, TimeSpan period, CancellationToken cancellationToken = default);
    Task UnregisterReminderAsync(string name, CancellationToken cancellationToken = default);
    void DeactivateOnIdle();
    /// <summary>Id of the message being handled in this turn (stable across redeliveries), for idempotent handlers.</summary>
    string? CurrentMessageId { get; }
}

public enum DeactivationReason { IdleCollection, Requested, ShuttingDown, StateConflict, ActivationFailed }

/// <summary>Base class of grain implementations.</summary>
public abstract class Grain
{
    private IGrainContext? _context;

    /// <summary>Set by the runtime before <see cref="OnActivateAsync"/>.</summary>
    public IGrainContext Context
    {
        get => _context ?? throw new InvalidOperationException("The grain is not activated by a silo: create grains through IGrainFactory.");
    }

    /// <summary>Binds the activation's context; called by the runtime when it constructs the grain.</summary>
    internal void Attach(IGrainContext context) => _context = context;

    public GrainId GrainId => Context.GrainId;
    public string GrainKey => Context.GrainId.Key;
    public string SiloId => Context.SiloId;
    public IGrainFactory GrainFactory => Context.GrainFactory;
    public IStreamProvider Streams => Context.Streams;

    public virtual Task OnActivateAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public virtual Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => Task.CompletedTask;

    protected IDisposable RegisterTimer(Func<CancellationToken, Task> callback, TimeSpan dueTime, TimeSpan period) =>
        Context.RegisterTimer(callback, dueTime, period);

    protected Task RegisterOrUpdateReminderAsync(string name, TimeSpan dueTime, TimeSpan period, CancellationToken cancellationToken = default) =>
        Context.RegisterOrUpdateReminderAsync(name, dueTime, period, cancellationToken);

    protected Task UnregisterReminderAsync(string name, CancellationToken cancellationToken = default) =>
        Context.UnregisterReminderAsync(name, cancellationToken);

    protected void DeactivateOnIdle() => Context.DeactivateOnIdle();
}
