using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ViraLoop.Runtime.Activation;
using ViraLoop.Runtime.Messaging;
using ViraLoop.Runtime.Storage;

namespace ViraLoop.Runtime.Hosting;

/// <summary>
/// A node of the cluster: hosts activations of its grain types, sends calls through its transport,
/// keeps its membership row alive, fires due reminders and collects idle activations.
/// A silo with no grain types is a client.
/// </summary>
public sealed class Silo : IAsyncDisposable
{
    private readonly IMessageTransport _transport;
    private readonly Catalog _catalog;
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _hardStop = new();
    private readonly List<Task> _loops = new();
    private int _state; // 0 new, 1 started, 2 stopped

    internal Silo(SiloOptions options, IServiceProvider services, IMessageTransport transport, IRuntimeStore store,
        Func<Silo, IStreamProvider> streams, IReadOnlyDictionary<string, HostedGrainType> hosted, ILogger logger,
        IReadOnlyList<IIncomingGrainCallFilter> callFilters)
    {
        CallFilters = callFilters;
        Options = options;
        Services = services;
        _transport = transport;
        Store = store;
        Logger = logger;
        GrainFactory = new GrainFactory(options, transport);
        _catalog = new Catalog(this, hosted);
        Streams = streams(this);
        _transport.OwnershipLost += () =>
        {
            Logger.LogWarning("Silo {Silo} lost its broker connection: dropping {Count} activations", SiloId, _catalog.Count);
            _catalog.AbandonAll();
        };
        if (_transport is IPartitionBalancer b)
            b.PartitionReleased += partition =>
            {
                var n = _catalog.AbandonPartition(partition);
                Logger.LogInformation("Silo {Silo} handed partition {Partition} over; dropped {Count} activations", SiloId, partition, n);
            };
    }

    public string SiloId => Options.SiloId;
    public SiloOptions Options { get; }
    public IServiceProvider Services { get; }
    public IGrainFactory GrainFactory { get; }
    public IStreamProvider Streams { get; }
    public IRuntimeStore Store { get; }
    public SiloMetrics Metrics { get; } = new();
    public IReadOnlyCollection<string> HostedGrainTypes => _catalog.Hosted.Keys.ToList();
    public int ActivationCount => _catalog.Count;
    internal ILogger Logger { get; }
    internal IReadOnlyList<IIncomingGrainCallFilter> CallFilters { get; }
    internal CancellationToken StoppingToken => _hardStop.Token;
    internal GrainFactory Factory => (GrainFactory)GrainFactory;

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0) throw new InvalidOperationException("A silo starts once.");
        await Store.InitializeAsync(cancellationToken).ConfigureAwait(false);
        await _transport.ConnectAsync(Options, cancellationToken).ConfigureAwait(false);
        var now = Options.TimeProvider.GetUtcNow();
        await Store.RegisterAsync(new SiloInfo(SiloId, Options.Address, Options.Roles.ToList(), now, now, SiloStatus.Active,
            _catalog.Hosted.Keys.ToList()), cancellationToken).ConfigureAwait(false);
        _loops.Add(RunPeriodicAsync(Options.HeartbeatInterval, ct => Store.HeartbeatAsync(SiloId, Options.TimeProvider.GetUtcNow(), ct), "heartbeat"));
        _loops.Add(RunPeriodicAsync(Options.ReminderPollInterval, FireDueRemindersAsync, "reminders"));
        _loops.Add(RunPeriodicAsync(Options.CollectionQuantum, _ =>
        {
            var n = _catalog.CollectIdle(Options.TimeProvider.GetUtcNow(), Options.CollectionAge);
            if (n > 0) Logger.LogDebug("Collected {Count} idle activations", n);
            return Task.CompletedTask;
        }, "idle collection"));
        await _transport.StartConsumingAsync(_catalog.Hosted.Values.Select(h => h.Info).ToList(), _catalog, cancellationToken).ConfigureAwait(false);
        if (_transport is IPartitionBalancer balancer && _catalog.Hosted.Count > 0)
            _loops.Add(RunPeriodicAsync(Options.HeartbeatInterval, async ct =>
            {
                var live = (await GetSilosAsync(ct).ConfigureAwait(false)).Where(s => s.Status == SiloStatus.Active).ToList();
                await balancer.RebalanceAsync(live, ct).ConfigureAwait(false);
            }, "partition rebalancing"));
        Logger.LogInformation("Silo {Silo} started (roles: {Roles}; grain types: {Types})", SiloId,
            string.Join(',', Options.Roles), string.Join(',', _catalog.Hosted.Keys));
    }

    /// <summary>Graceful stop: no new deliveries, in-flight turns finish and are acknowledged, activations deactivate.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _state, 2) != 1) return;
        _stopping.Cancel();
        try { await Task.WhenAll(_loops).ConfigureAwait(false); } catch (OperationCanceledException) { }
        await _transport.StopConsumingAsync(cancellationToken).ConfigureAwait(false);
        var drain = _catalog.DrainAsync();
        if (await Task.WhenAny(drain, Task.Delay(Options.ShutdownTimeout, cancellationToken)).ConfigureAwait(false) != drain)
        {
            Logger.LogWarning("Silo {Silo}: in-flight turns did not finish within {Timeout}; they will be redelivered", SiloId, Options.ShutdownTimeout);
            _hardStop.Cancel();
        }
        try { await Store.MarkShutDownAsync(SiloId, CancellationToken.None).ConfigureAwait(false); }
        catch (Exception e) { Logger.LogWarning(e, "Could not mark silo {Silo} as shut down", SiloId); }
        await _transport.DisposeAsync().ConfigureAwait(false);
        Logger.LogInformation("Silo {Silo} stopped", SiloId);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stopping.Dispose();
        _hardStop.Dispose();
    }

    public Task<IReadOnlyList<SiloInfo>> GetSilosAsync(CancellationToken cancellationToken = default) =>
        Store.ListAsync(Options.TimeProvider.GetUtcNow(), Options.HeartbeatInterval * Options.MissedHeartbeatsForDead, cancellationToken);

    private async Task RunPeriodicAsync(TimeSpan period, Func<CancellationToken, Task> action, string what)
    {
        using var timer = new PeriodicTimer(period, Options.TimeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
            {
                try { await action(_stopping.Token).ConfigureAwait(false); }
                catch (OperationCanceledException) when (_stopping.IsCancellationRequested) { return; }
                catch (Exception e) { Logger.LogWarning(e, "Silo {Silo}: {What} failed", SiloId, what); }
            }
        }
        catch (OperationCanceledException) { }
    }

    private async Task FireDueRemindersAsync(CancellationToken ct)
    {
        var due = await Store.ClaimDueAsync(Options.TimeProvider.GetUtcNow(), 500, ct).ConfigureAwait(false);
        foreach (var r in due)
            await Factory.SendReminderAsync(new GrainId(r.GrainType, r.GrainKey), r.Name, ct).ConfigureAwait(false);
    }

    internal ResponseMessage CreateResponse(GrainMethod method, object? result)
    {
        if (method.ResultType is null) return new ResponseMessage { Ok = true };
        try
        {
            return _transport.SerializesMessages
                ? new ResponseMessage { Ok = true, HasBody = true, Body = MessageSerializer.Serialize(result, method.ResultType, $"result of {method.Name}") }
                : new ResponseMessage { Ok = true, Value = Options.CopyMessages ? MessageSerializer.CopyValue(result, method.ResultType, $"result of {method.Name}") : result };
        }
        catch (GrainSerializationException e)
        {
            return new ResponseMessage { Ok = false, RuntimeError = true, ErrorType = nameof(GrainSerializationException), ErrorMessage = e.Message };
        }
    }

    /// <summary>A message the runtime cannot handle at all: dead-letter it, tell a waiting caller, and let the partition move on.</summary>
    internal Task RejectAsync(InboundMessage message, string reason) =>
        FailAsync(message, new UnknownGrainTypeException(reason), 1, deadLetter: true, runtimeError: true);

    internal async Task FailAsync(InboundMessage message, Exception error, int attempts, bool deadLetter, bool runtimeError = false)
    {
        var env = message.Envelope;
        try
        {
            if (deadLetter)
            {
                Metrics.DeadLetter();
                var payload = env.Body.IsEmpty ? SafeJson(env.Args) : Encoding.UTF8.GetString(env.Body.Span);
                await Store.AddAsync(new DeadLetter(env.MessageId, env.Target.Type, env.Target.Key, env.Method,
                    $"{error.GetType().Name}: {error.Message}", attempts, payload, Options.TimeProvider.GetUtcNow())).ConfigureAwait(false);
                Logger.LogWarning("Dead-lettered {Message} to {Grain}.{Method} after {Attempts} attempt(s): {Reason}",
                    env.MessageId, env.Target, env.Method, attempts, error.Message);
            }
            if (!env.OneWay)
                await message.ReplyAsync(new ResponseMessage
                {
                    Ok = false, RuntimeError = runtimeError, ErrorType = error.GetType().FullName, ErrorMessage = error.Message,
                }).ConfigureAwait(false);
            await message.AckAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // The dead-letter store (or the reply path) is unavailable: give the message back after a pause, so
            // nothing is lost and an outage does not turn into a hot redelivery loop.
            Logger.LogError(e, "Could not settle failed message {Message}; requeueing it", env.MessageId);
            try
            {
                await Task.Delay(Options.RequeueDelay, StoppingToken).ConfigureAwait(false);
                await message.RequeueAsync().ConfigureAwait(false);
            }
            catch (OperationCanceledException) { /* stopping: the broker redelivers it when the channel closes */ }
        }
    }

    private static string SafeJson(object?[]? args)
    {
        try { return System.Text.Json.JsonSerializer.Serialize(args, MessageSerializer.Options); }
        catch (Exception) { return "<unserializable>"; }
    }
}
