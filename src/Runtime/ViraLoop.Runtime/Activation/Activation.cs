using Microsoft.Extensions.Logging;
using ViraLoop.Runtime.Hosting;
using ViraLoop.Runtime.Messaging;
using ViraLoop.Runtime.Storage;

namespace ViraLoop.Runtime.Activation;

/// <summary>
/// One activation of one grain: a FIFO mailbox processed one turn at a time. No thread is held
/// while the mailbox is empty; the first message schedules a runner.
/// </summary>
internal sealed class GrainActivation : IGrainContext
{
    private enum Phase { Active, Deactivating, Dead }

    private readonly object _gate = new();
    private readonly Queue<object> _queue = new();
    private readonly Catalog _catalog;
    private readonly Task? _predecessor;
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<GrainTimer> _timers = new();
    private TaskCompletionSource? _drained;
    private Phase _phase;
    private bool _running;
    private bool _deactivateOnIdle;
    private Grain? _grain;
    private List<IActivationState>? _states;
    private bool _conflict;

    public GrainActivation(Catalog catalog, HostedGrainType type, GrainId id, Task? predecessor)
    {
        _catalog = catalog;
        Type = type;
        GrainId = id;
        _predecessor = predecessor;
        LastActive = catalog.Silo.Options.TimeProvider.GetUtcNow();
    }

    public HostedGrainType Type { get; }
    /// <summary>The broker partition this activation's messages come from (cluster mode).</summary>
    public string? Partition { get; set; }
    public GrainId GrainId { get; }
    public DateTimeOffset LastActive { get; private set; }
    public Task Completion => _completion.Task;
    public string SiloId => _catalog.Silo.SiloId;
    public IGrainFactory GrainFactory => _catalog.Silo.GrainFactory;
    public IStreamProvider Streams => _catalog.Silo.Streams;
    public string? CurrentMessageId { get; private set; }
    private Silo Silo => _catalog.Silo;

    public bool TryEnqueue(object item)
    {
        bool schedule = false;
        lock (_gate)
        {
            if (_phase != Phase.Active) return false;
            _queue.Enqueue(item);
            if (!_running) { _running = true; schedule = true; }
        }
        if (schedule) ThreadPool.UnsafeQueueUserWorkItem(static a => _ = a.RunAsync(), this, preferLocal: false);
        return true;
    }

    private async Task RunAsync()
    {
        if (_predecessor is { IsCompleted: false }) await _predecessor.ConfigureAwait(false);
        while (true)
        {
            object? item = null;
            bool deactivate = false;
            lock (_gate)
            {
                if (_queue.Count > 0) item = _queue.Dequeue();
                else
                {
                    _running = false;
                    LastActive = Silo.Options.TimeProvider.GetUtcNow();
                    _drained?.TrySetResult();
                    if (!_deactivateOnIdle || _phase != Phase.Active) return;
                    _phase = Phase.Deactivating;
                    deactivate = true;
                }
            }
            if (deactivate)
            {
                await FinishDeactivationAsync(DeactivationReason.Requested).ConfigureAwait(false);
                return;
            }
            try
            {
                if (item is InboundMessage m) await ProcessMessageAsync(m).ConfigureAwait(false);
                else if (item is GrainTimer t) await t.FireAsync().ConfigureAwait(false);
            }
            catch (Exception e)
            {
                Silo.Logger.LogError(e, "Unexpected failure in a turn of {Grain}", GrainId);
            }
        }
    }

    private async Task EnsureActivatedAsync(CancellationToken ct)
    {
        if (_grain is not null) return;
        _conflict = false;
        var (grain, states) = Type.Create(Silo.Services, this, Silo.Store, () => _conflict = true);
        try
        {
            foreach (var s in states) await s.ReadStateAsync(ct).ConfigureAwait(false);
            await grain.OnActivateAsync(ct).ConfigureAwait(false);
        }
        catch
        {
            DisposeTimers();
            throw;
        }
        _grain = grain;
        _states = states;
        Silo.Metrics.Activated();
    }

    /// <summary>Drops the in-memory grain without running its deactivation: the next turn reloads state from the store.</summary>
    private void ResetInstance()
    {
        DisposeTimers();
        if (_grain is not null) Silo.Metrics.Deactivated();
        _grain = null;
        _states = null;
    }

    private async Task ProcessMessageAsync(InboundMessage message)
    {
        var env = message.Envelope;
        if (message.IsStale) { Silo.Metrics.Stale(); return; }
        GrainMethod? method = null;
        if (env.Method != Envelope.ReminderMethod && !Type.Info.Methods.TryGetValue(env.Method, out method))
        {
            await Silo.RejectAsync(message, $"Grain type '{Type.Info.Name}' has no method '{env.Method}'.").ConfigureAwait(false);
            return;
        }
        object?[] args;
        try
        {
            args = env.Args ?? (method is null
                ? [System.Text.Json.JsonSerializer.Deserialize<string[]>(env.Body.Span)?.FirstOrDefault() ?? ""]
                : MessageSerializer.DeserializeArgs(method, env.Body.Span));
        }
        catch (Exception e) when (e is GrainSerializationException or System.Text.Json.JsonException)
        {
            await Silo.RejectAsync(message, $"Unreadable message: {e.Message}").ConfigureAwait(false);
            return;
        }

        int max = Math.Max(1, Silo.Options.MaxAttempts);
        for (int attempt = 1; ; attempt++)
        {
            env.Attempt = attempt;
            using var cts = CreateTurnToken(env);
            try
            {
                await EnsureActivatedAsync(cts.Token).ConfigureAwait(false);
                CurrentMessageId = env.MessageId;
                object? result = null;
                if (method is null)
                {
                    if (_grain is not IRemindable r)
                    {
                        await Silo.RejectAsync(message, $"{Type.Implementation.Name} received reminder '{args[0]}' but does not implement IRemindable.").ConfigureAwait(false);
                        return;
                    }
                    await r.ReceiveReminderAsync((string)args[0]!, cts.Token).ConfigureAwait(false);
                }
                else
                {
                    using var activity = RuntimeTelemetry.StartTurn(GrainId, env.Method, env.TraceParent, env.MessageId);
                    try
                    {
                        if (Silo.CallFilters.Count == 0)
                        {
                            var task = method.Invoker(_grain!, args, cts.Token);
                            await task.ConfigureAwait(false);
                            if (method.ResultGetter is not null) result = method.ResultGetter(task);
                        }
                        else
                        {
                            var call = new IncomingCall(GrainId, method, _grain!, args, env.MessageId, cts.Token, Silo.CallFilters);
                            await call.InvokeAsync().ConfigureAwait(false);
                            result = call.Result;
                        }
                    }
                    catch (Exception e)
                    {
                        activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, e.Message);
                        throw;
                    }
                }
                if (message.IsStale) { Silo.Metrics.Stale(); return; }
                if (!env.OneWay) await message.ReplyAsync(Silo.CreateResponse(method!, result)).ConfigureAwait(false);
                await message.AckAsync().ConfigureAwait(false);
                Silo.Metrics.Completed();
                return;
            }
            catch (Exception e) when (e is InconsistentStateException || _conflict)
            {
                // Another activation wrote this grain's state: this turn is dropped and the grain reloads.
                Silo.Metrics.Fenced();
                Silo.Logger.LogWarning("Fenced write on {Grain} (attempt {Attempt}): {Message}", GrainId, attempt, e.Message);
                ResetInstance();
                if (message.IsStale) { Silo.Metrics.Stale(); return; }
                if (attempt < max) continue;
                await Silo.FailAsync(message, e, attempt, deadLetter: true).ConfigureAwait(false);
                return;
            }
            catch (GrainSerializationException e)
            {
                await Silo.FailAsync(message, e, attempt, deadLetter: true).ConfigureAwait(false);
                return;
            }
            catch (Exception e)
            {
                Silo.Metrics.HandlerFailed();
                if (_grain is null) ResetInstance(); // activation itself failed
                if (message.IsStale) { Silo.Metrics.Stale(); return; }
                if (!env.OneWay) { await Silo.FailAsync(message, e, attempt, deadLetter: false).ConfigureAwait(false); return; }
                if (attempt < max) continue;
                await Silo.FailAsync(message, e, attempt, deadLetter: true).ConfigureAwait(false);
                return;
            }
            finally
            {
                CurrentMessageId = null;
            }
        }
    }

    private CancellationTokenSource CreateTurnToken(Envelope env)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(Silo.StoppingToken);
        if (env.DeadlineUnixMs > 0)
        {
            var left = DateTimeOffset.FromUnixTimeMilliseconds(env.DeadlineUnixMs) - Silo.Options.TimeProvider.GetUtcNow();
            cts.CancelAfter(left > TimeSpan.Zero ? left : TimeSpan.Zero);
        }
        return cts;
    }

    /// <summary>Idle collection: deactivates when nothing is queued or running and the activation has been idle long enough.</summary>
    public bool TryCollect(DateTimeOffset now, TimeSpan age)
    {
        lock (_gate)
        {
            if (_phase != Phase.Active || _running || _queue.Count > 0 || now - LastActive < age) return false;
            _phase = Phase.Deactivating;
        }
        _ = FinishDeactivationAsync(DeactivationReason.IdleCollection);
        return true;
    }

    /// <summary>Graceful stop: accept nothing new, let queued turns finish, then deactivate.</summary>
    public async Task DrainAndDeactivateAsync(DeactivationReason reason)
    {
        Task drained;
        lock (_gate)
        {
            if (_phase != Phase.Active) return;
            _phase = Phase.Deactivating;
            if (_running) { _drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously); drained = _drained.Task; }
            else drained = Task.CompletedTask;
        }
        await drained.ConfigureAwait(false);
        await FinishDeactivationAsync(reason).ConfigureAwait(false);
    }

    /// <summary>The silo lost ownership (transport connection lost): forget everything in memory, write nothing.</summary>
    public void Abandon()
    {
        lock (_gate)
        {
            _phase = Phase.Dead;
            _queue.Clear();
        }
        ResetInstance();
        _catalog.Remove(this);
        _completion.TrySetResult();
    }

    private async Task FinishDeactivationAsync(DeactivationReason reason)
    {
        try
        {
            if (_grain is not null)
            {
                using var cts = new CancellationTokenSource(Silo.Options.ShutdownTimeout);
                await _grain.OnDeactivateAsync(reason, cts.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            Silo.Logger.LogWarning(e, "OnDeactivateAsync of {Grain} failed", GrainId);
        }
        finally
        {
            lock (_gate) _phase = Phase.Dead;
            ResetInstance();
            _catalog.Remove(this);
            _completion.TrySetResult();
        }
    }

    private void DisposeTimers()
    {
        GrainTimer[] timers;
        lock (_timers)
        {
            timers = _timers.ToArray();
            _timers.Clear();
        }
        foreach (var t in timers) t.Dispose();
    }

    public IDisposable RegisterTimer(Func<CancellationToken, Task> callback, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new GrainTimer(this, callback, dueTime, period, Silo.Options.TimeProvider);
        lock (_timers) _timers.Add(timer);
        return timer;
    }

    internal void RemoveTimer(GrainTimer timer)
    {
        lock (_timers) _timers.Remove(timer);
    }

    public Task RegisterOrUpdateReminderAsync(string name, TimeSpan dueTime, TimeSpan period, CancellationToken cancellationToken = default)
    {
        if (period < Silo.Options.MinimumReminderPeriod)
            throw new ArgumentOutOfRangeException(nameof(period), $"Reminder period {period} is below the minimum {Silo.Options.MinimumReminderPeriod}; use a timer for short periods.");
        return Silo.Store.UpsertAsync(new ReminderEntry(GrainId.Type, GrainId.Key, name,
            Silo.Options.TimeProvider.GetUtcNow().Add(dueTime), period), cancellationToken);
    }

    public Task UnregisterReminderAsync(string name, CancellationToken cancellationToken = default) =>
        Silo.Store.RemoveAsync(GrainId, name, cancellationToken);

    public void DeactivateOnIdle() => _deactivateOnIdle = true;

    internal CancellationToken TurnToken => Silo.StoppingToken;
}

/// <summary>An in-memory timer: each tick is a turn in the grain's mailbox; ticks do not pile up.</summary>
internal sealed class GrainTimer : IDisposable
{
    private readonly GrainActivation _owner;
    private readonly Func<CancellationToken, Task> _callback;
    private readonly ITimer _timer;
    private int _queued;
    private volatile bool _disposed;

    public GrainTimer(GrainActivation owner, Func<CancellationToken, Task> callback, TimeSpan due, TimeSpan period, TimeProvider time)
    {
        _owner = owner;
        _callback = callback;
        _timer = time.CreateTimer(static s => ((GrainTimer)s!).Tick(), this, due, period <= TimeSpan.Zero ? Timeout.InfiniteTimeSpan : period);
    }

    private void Tick()
    {
        if (_disposed || Interlocked.Exchange(ref _queued, 1) == 1) return;
        if (!_owner.TryEnqueue(this)) Dispose();
    }

    public async Task FireAsync()
    {
        Interlocked.Exchange(ref _queued, 0);
        if (_disposed) return;
        await _callback(_owner.TurnToken).ConfigureAwait(false);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _timer.Dispose();
        _owner.RemoveTimer(this);
    }
}

/// <summary>The filter chain around one turn; the last link calls the grain method.</summary>
internal sealed class IncomingCall(GrainId grain, GrainMethod method, Grain target, object?[] args, string messageId,
    CancellationToken ct, IReadOnlyList<IIncomingGrainCallFilter> filters) : IIncomingGrainCallContext
{
    private int _next;

    public GrainId Grain => grain;
    public string Method => method.Name;
    public IReadOnlyList<object?> Arguments => args;
    public string MessageId => messageId;
    public object? Result { get; set; }

    public async Task InvokeAsync()
    {
        if (_next < filters.Count)
        {
            await filters[_next++].InvokeAsync(this).ConfigureAwait(false);
            return;
        }
        var task = method.Invoker(target, args, ct);
        await task.ConfigureAwait(false);
        if (method.ResultGetter is not null) Result = method.ResultGetter(task);
    }
}
