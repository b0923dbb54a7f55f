using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.Placement;
using Orleans.Streams;
using Orleans.Streams.Core;
using ViraLoop.Grains.Placement;

namespace ViraLoop.TestGrains;

/// <summary>A persistent counter whose increments carry an operation id, so a caller that retries never applies one twice.</summary>
[Alias("test.counter")]
public interface ICounterGrain : IGrainWithStringKey
{
    [Alias("add")] Task<long> Add(Guid operation, long amount);
    [Alias("get")] Task<long> Get();
    [Alias("silo")] Task<string> Silo();
}

[GenerateSerializer, Alias("test.counter-state")]
public sealed class CounterState
{
    [Id(0)] public long Value { get; set; }
    /// <summary>The last operations applied (a caller has at most one in flight per key).</summary>
    [Id(1)] public List<Guid> Recent { get; set; } = new();
}

public sealed class CounterGrain([PersistentState("counter")] IPersistentState<CounterState> state, ILocalSiloDetails silo) : Grain, ICounterGrain
{
    public async Task<long> Add(Guid operation, long amount)
    {
        if (state.State.Recent.Contains(operation)) return state.State.Value;
        var before = (state.State.Value, Recent: state.State.Recent.ToList());
        state.State.Value += amount;
        state.State.Recent.Add(operation);
        if (state.State.Recent.Count > 16) state.State.Recent.RemoveAt(0);
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            // Not stored: forget it here too, so the caller's retry applies it rather than finding it "done".
            (state.State.Value, state.State.Recent) = before;
            DeactivateOnIdle();
            throw;
        }
        return state.State.Value;
    }

    public Task<long> Get() => Task.FromResult(state.State.Value);
    public Task<string> Silo() => Task.FromResult(silo.Name);
}

/// <summary>Stands for an inference grain: placed only on GPU silos.</summary>
[Alias("test.inference")]
public interface IInferenceProbeGrain : IGrainWithIntegerKey
{
    [Alias("silo")] Task<string> Silo();
}

[GpuPlacement]
public sealed class InferenceProbeGrain(ILocalSiloDetails silo) : Grain, IInferenceProbeGrain
{
    public Task<string> Silo() => Task.FromResult(silo.Name);
}

/// <summary>Registers a durable reminder and counts (persistently) how often it fired.</summary>
[Alias("test.reminder")]
public interface IReminderProbeGrain : IGrainWithStringKey
{
    [Alias("start")] Task Start(TimeSpan period);
    [Alias("fired")] Task<int> Fired();
}

[GenerateSerializer, Alias("test.reminder-state")]
public sealed class ReminderState
{
    [Id(0)] public int Fired { get; set; }
}

public sealed class ReminderProbeGrain([PersistentState("reminder")] IPersistentState<ReminderState> state) : Grain, IReminderProbeGrain, IRemindable
{
    public async Task Start(TimeSpan period) => await this.RegisterOrUpdateReminder("tick", period, period);

    public Task<int> Fired() => Task.FromResult(state.State.Fired);

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        state.State.Fired++;
        await state.WriteStateAsync();
    }
}

/// <summary>One numbered event on a test stream.</summary>
[GenerateSerializer, Immutable, Alias("test.tick")]
public sealed record Tick([property: Id(0)] string Stream, [property: Id(1)] int Number);

/// <summary>Publishes numbered events to a stream of the progress provider.</summary>
[Alias("test.publisher")]
public interface IPublisherGrain : IGrainWithStringKey
{
    [Alias("publish")] Task Publish(string stream, int from, int count);
    [Alias("silo")] Task<string> Silo();
}

[NamedSiloPlacement]
public sealed class PublisherGrain(ILocalSiloDetails silo) : Grain, IPublisherGrain
{
    public const string Namespace = "chaos";

    public async Task Publish(string stream, int from, int count)
    {
        var s = this.GetStreamProvider("progress").GetStream<Tick>(StreamId.Create(Namespace, stream));
        for (var i = from; i < from + count; i++) await s.OnNextAsync(new Tick(stream, i));
    }

    public Task<string> Silo() => Task.FromResult(silo.Name);
}

/// <summary>
/// Subscribes implicitly to every stream of the publisher's namespace and keeps (persistently: an activation can be
/// replaced when the silo holding its directory entry dies) the numbers it received, dropping repeats (redelivery
/// after a crash) and recording gaps. Placed on the GPU silo so tests know where it lives.
/// </summary>
[Alias("test.stream-subscriber")]
public interface IStreamSubscriberGrain : IGrainWithStringKey
{
    [Alias("received")] Task<int[]> Received();
    [Alias("gaps")] Task<string[]> Gaps();
    [Alias("silo")] Task<string> Silo();
}

[GenerateSerializer, Alias("test.stream-subscriber-state")]
public sealed class SubscriberState
{
    [Id(0)] public List<int> Received { get; set; } = new();
    [Id(1)] public List<string> Gaps { get; set; } = new();
}

[GpuPlacement, ImplicitStreamSubscription(PublisherGrain.Namespace)]
public sealed class StreamSubscriberGrain([PersistentState("received")] IPersistentState<SubscriberState> state, ILocalSiloDetails silo)
    : Grain, IStreamSubscriberGrain, IStreamSubscriptionObserver, IAsyncObserver<Tick>
{
    public async Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory) => await handleFactory.Create<Tick>().ResumeAsync(this);

    public async Task OnNextAsync(Tick item, StreamSequenceToken? token = null)
    {
        var received = state.State.Received;
        var last = received.Count == 0 ? -1 : received[^1];
        if (item.Number <= last) return;
        if (item.Number != last + 1) state.State.Gaps.Add($"{last} -> {item.Number}");
        received.Add(item.Number);
        await state.WriteStateAsync();
    }

    public Task OnCompletedAsync() => Task.CompletedTask;
    public Task OnErrorAsync(Exception ex) => Task.CompletedTask;
    public Task<int[]> Received() => Task.FromResult(state.State.Received.ToArray());
    public Task<string[]> Gaps() => Task.FromResult(state.State.Gaps.ToArray());
    public Task<string> Silo() => Task.FromResult(silo.Name);
}

/// <summary>Test-only placement: a grain whose key starts with "{silo name}/" activates on that silo (else anywhere).</summary>
public sealed class NamedSiloPlacement : PlacementStrategy
{
    public static readonly NamedSiloPlacement Instance = new();
}

[AttributeUsage(AttributeTargets.Class)]
public sealed class NamedSiloPlacementAttribute() : PlacementAttribute(NamedSiloPlacement.Instance);

public sealed class NamedSiloPlacementDirector(IClusterMembershipService membership) : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var silos = context.GetCompatibleSilos(target);
        var key = target.GrainIdentity.Key.ToString() ?? "";
        var wanted = key.Contains('/') ? key[..key.IndexOf('/')] : null;
        var named = silos.FirstOrDefault(s => membership.CurrentSnapshot.Members.TryGetValue(s, out var m) && m.Name == wanted);
        return Task.FromResult(named ?? silos[Random.Shared.Next(silos.Length)]);
    }
}

/// <summary>An inference grain whose activation fails (a model that will not load): it must not count as load.</summary>
[Alias("test.failing-inference")]
public interface IFailingInferenceGrain : IGrainWithIntegerKey
{
    [Alias("silo")] Task<string> Silo();
}

[GpuPlacement]
public sealed class FailingInferenceGrain : Grain, IFailingInferenceGrain
{
    public override Task OnActivateAsync(CancellationToken cancellationToken) =>
        throw new InvalidOperationException("the model could not be loaded");

    public Task<string> Silo() => Task.FromResult("never");
}

/// <summary>
/// A subscriber to one video job's progress stream, living on a named silo (key "{silo}/{tenant}/{job}"): it keeps the
/// statuses it saw, newest sequence first wins (redeliveries after a crash are dropped).
/// </summary>
[Alias("test.job-progress-recorder")]
public interface IJobProgressRecorderGrain : IGrainWithStringKey
{
    [Alias("watch")] Task Watch();
    [Alias("statuses")] Task<ViraLoop.Grains.Messages.JobStatus[]> Statuses();
    [Alias("silo")] Task<string> Silo();
}

[GenerateSerializer, Alias("test.job-progress-recorder-state")]
public sealed class JobProgressRecorderState
{
    [Id(0)] public List<ViraLoop.Grains.Messages.JobStatus> Statuses { get; set; } = new();
    [Id(1)] public long LastSequence { get; set; } = -1;
}

[NamedSiloPlacement]
public sealed class JobProgressRecorderGrain([PersistentState("progress")] IPersistentState<JobProgressRecorderState> state, ILocalSiloDetails silo)
    : Grain, IJobProgressRecorderGrain, IAsyncObserver<ViraLoop.Grains.Messages.JobProgress>
{
    private IAsyncStream<ViraLoop.Grains.Messages.JobProgress> Stream
    {
        get
        {
            var key = this.GetPrimaryKeyString();
            var job = key[(key.IndexOf('/') + 1)..];
            return this.GetStreamProvider(ViraLoop.Grains.Messages.StreamNames.Provider)
                .GetStream<ViraLoop.Grains.Messages.JobProgress>(StreamId.Create(ViraLoop.Grains.Messages.StreamNames.Jobs, job));
        }
    }

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        foreach (var handle in await Stream.GetAllSubscriptionHandles()) await handle.ResumeAsync(this);
    }

    public async Task Watch()
    {
        if ((await Stream.GetAllSubscriptionHandles()).Count == 0) await Stream.SubscribeAsync(this);
    }

    public async Task OnNextAsync(ViraLoop.Grains.Messages.JobProgress item, StreamSequenceToken? token = null)
    {
        if (item.Sequence <= state.State.LastSequence) return;
        state.State.LastSequence = item.Sequence;
        state.State.Statuses.Add(item.Status);
        await state.WriteStateAsync();
    }

    public Task OnCompletedAsync() => Task.CompletedTask;
    public Task OnErrorAsync(Exception ex) => Task.CompletedTask;
    public Task<ViraLoop.Grains.Messages.JobStatus[]> Statuses() => Task.FromResult(state.State.Statuses.ToArray());
    public Task<string> Silo() => Task.FromResult(silo.Name);
}
