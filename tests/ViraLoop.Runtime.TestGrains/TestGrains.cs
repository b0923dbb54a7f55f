using System.Collections.Concurrent;
using ViraLoop.Runtime;

namespace ViraLoop.Runtime.TestGrains;

public sealed record CounterSnapshot(long Sum, long LastSeq, long Duplicates, long OrderViolations, string SiloId, string? Etag);

/// <summary>Event published on stream ("counters", key) once a counter has applied its last message.</summary>
public sealed record CounterDone(string Key, long Sum, string SiloId);

public sealed record Payload(string Name, object? Extra);

[GrainType("counter")]
public interface ICounterGrain : IGrain
{
    /// <summary>Applies message <paramref name="seq"/> (1-based, per key) once; out-of-order arrivals are counted.</summary>
    [OneWay] Task Add(long seq, long amount, long total);
    Task<CounterSnapshot> Get();
    Task<long> Increment(long amount);
    Task Fail(string message);
    [OneWay] Task FailOneWay(string message);
    Task<string> Echo(Payload payload);
    Task<string> CallOther(string otherKey, int depth);
    Task<int> MaxConcurrency(int calls);
    Task<string> WhereAmI();
}

public sealed class CounterState
{
    public long Sum { get; set; }
    public long LastSeq { get; set; }
    public long Duplicates { get; set; }
    public long OrderViolations { get; set; }
}

public sealed class CounterGrain([PersistentState("counter")] IPersistentState<CounterState> state) : Grain, ICounterGrain
{
    private int _inFlight;
    private int _maxInFlight;

    public async Task Add(long seq, long amount, long total)
    {
        var s = state.State;
        if (seq <= s.LastSeq) { s.Duplicates++; return; } // redelivery of an applied message: idempotent
        if (seq != s.LastSeq + 1) s.OrderViolations++;
        s.Sum += amount;
        s.LastSeq = seq;
        await state.WriteStateAsync();
        if (seq == total) await Streams.GetStream<CounterDone>("counters", "done").OnNextAsync(new CounterDone(GrainKey, s.Sum, SiloId));
    }

    public Task<CounterSnapshot> Get() => Task.FromResult(new CounterSnapshot(
        state.State.Sum, state.State.LastSeq, state.State.Duplicates, state.State.OrderViolations, SiloId, state.Etag));

    public async Task<long> Increment(long amount)
    {
        state.State.Sum += amount;
        await state.WriteStateAsync();
        return state.State.Sum;
    }

    public Task Fail(string message) => throw new InvalidOperationException(message);

    public Task FailOneWay(string message) => throw new InvalidOperationException(message);

    public Task<string> Echo(Payload payload) => Task.FromResult(payload.Name);

    public async Task<string> CallOther(string otherKey, int depth) =>
        depth <= 0 ? GrainKey : await GrainFactory.GetGrain<ICounterGrain>(otherKey).CallOther(GrainKey, depth - 1);

    public async Task<int> MaxConcurrency(int calls)
    {
        var n = Interlocked.Increment(ref _inFlight);
        _maxInFlight = Math.Max(_maxInFlight, n);
        await Task.Yield();
        await Task.Delay(1);
        Interlocked.Decrement(ref _inFlight);
        return _maxInFlight;
    }

    public Task<string> WhereAmI() => Task.FromResult(SiloId);
}

[GrainType("gpu-probe")]
[SiloRole("gpu")]
public interface IGpuProbeGrain : IGrain
{
    Task<string> WhereAmI();
}

public sealed class GpuProbeGrain : Grain, IGpuProbeGrain
{
    public Task<string> WhereAmI() => Task.FromResult(SiloId);
}

public sealed record Tick(string Key, int Number, string Kind);

[GrainType("ticker")]
public interface ITickerGrain : IGrain
{
    Task StartTimer(TimeSpan period);
    Task StartReminder(TimeSpan period);
    Task StopReminder();
    Task<int> ReminderTicks();
    Task Publish(string streamKey, int count);
    Task<string> Ping();
    Task Deactivate();
}

public sealed class TickerState
{
    public int ReminderTicks { get; set; }
}

/// <summary>Records lifecycle events of activations in this process, for tests that wait on them.</summary>
public sealed class LifecycleLog
{
    public ConcurrentQueue<string> Events { get; } = new();
    public event Action<string>? Recorded;

    public void Record(string e)
    {
        Events.Enqueue(e);
        Recorded?.Invoke(e);
    }
}

public sealed class TickerGrain([PersistentState("ticker")] IPersistentState<TickerState> state, LifecycleLog? log = null) : Grain, ITickerGrain, IRemindable
{
    private int _timerTicks;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        log?.Record($"activate:{GrainKey}");
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        log?.Record($"deactivate:{GrainKey}:{reason}");
        return Task.CompletedTask;
    }

    public Task StartTimer(TimeSpan period)
    {
        RegisterTimer(async _ =>
        {
            _timerTicks++;
            await Streams.GetStream<Tick>("ticks", GrainKey).OnNextAsync(new Tick(GrainKey, _timerTicks, "timer"));
        }, period, period);
        return Task.CompletedTask;
    }

    public Task StartReminder(TimeSpan period) => RegisterOrUpdateReminderAsync("tick", period, period);

    public Task StopReminder() => UnregisterReminderAsync("tick");

    public async Task ReceiveReminderAsync(string reminderName, CancellationToken cancellationToken)
    {
        state.State.ReminderTicks++;
        await state.WriteStateAsync(cancellationToken);
        await Streams.GetStream<Tick>("ticks", GrainKey).OnNextAsync(new Tick(GrainKey, state.State.ReminderTicks, "reminder"), cancellationToken);
    }

    public Task<int> ReminderTicks() => Task.FromResult(state.State.ReminderTicks);

    public async Task Publish(string streamKey, int count)
    {
        var stream = Streams.GetStream<Tick>("events", streamKey);
        for (int i = 1; i <= count; i++) await stream.OnNextAsync(new Tick(streamKey, i, SiloId));
    }

    public Task<string> Ping() => Task.FromResult(SiloId);

    public Task Deactivate()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }
}

public sealed record Profile(string FirstName, string LastName);

[GrainType("profile")]
public interface IProfileGrain : IGrain
{
    Task<Profile> Get();
    Task Rename(string first, string last);
}

/// <summary>Version 2 of the profile state: version 1 stored one "name" field.</summary>
[StateVersion(2)]
public sealed class ProfileState
{
    public string FirstName { get; set; } = "";
    public string LastName { get; set; } = "";
}

/// <summary>Upgrades version 1 ({"name": "Ada Lovelace"}) to version 2 (first and last name).</summary>
public sealed class ProfileStateV1ToV2 : IStateMigration<ProfileState>
{
    public int FromVersion => 1;

    public System.Text.Json.Nodes.JsonObject Upgrade(System.Text.Json.Nodes.JsonObject state)
    {
        var name = state["name"]?.GetValue<string>() ?? "";
        var space = name.IndexOf(' ');
        return new System.Text.Json.Nodes.JsonObject
        {
            ["firstName"] = space < 0 ? name : name[..space],
            ["lastName"] = space < 0 ? "" : name[(space + 1)..],
        };
    }
}

public sealed class ProfileGrain([PersistentState("profile")] IPersistentState<ProfileState> state) : Grain, IProfileGrain
{
    public Task<Profile> Get() => Task.FromResult(new Profile(state.State.FirstName, state.State.LastName));

    public async Task Rename(string first, string last)
    {
        state.State.FirstName = first;
        state.State.LastName = last;
        await state.WriteStateAsync();
    }
}
