using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Streams;

namespace ViraLoop.Streams.Tests;

[GenerateSerializer, Alias("ViraLoop.Streams.Tests.ProgressEvent")]
public sealed record ProgressEvent([property: Id(0)] Guid Stream, [property: Id(1)] int Number);

public static class Namespaces
{
    /// <summary>Streams in this namespace activate <see cref="ImplicitSubscriberGrain"/> (implicit subscription).</summary>
    public const string Implicit = "vl-test-implicit";
    /// <summary>Streams in this namespace have explicit subscribers only.</summary>
    public const string Explicit = "vl-test-explicit";
}

public interface IImplicitSubscriberGrain : IGrainWithGuidKey { Task PingAsync(); }

public interface IExplicitSubscriberGrain : IGrainWithStringKey { Task SubscribeAsync(); }

public interface IPublisherGrain : IGrainWithGuidKey { Task PublishAsync(string ns, Guid stream, int from, int count); }

/// <summary>Implicitly subscribed to every stream of <see cref="Namespaces.Implicit"/>; activated where the pulling
/// agent that delivers runs (prefer-local), so a dead silo's streams move with its queues.</summary>
[ImplicitStreamSubscription(Namespaces.Implicit)]
[PreferLocalPlacement]
public sealed class ImplicitSubscriberGrain : Grain, IImplicitSubscriberGrain
{
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var id = this.GetPrimaryKey();
        var recorder = StreamRecorder.For("implicit", Namespaces.Implicit, id);
        var stream = this.GetStreamProvider(TestEnvironment.Provider).GetStream<ProgressEvent>(StreamId.Create(Namespaces.Implicit, id));
        await stream.SubscribeAsync((e, _) =>
        {
            recorder.Add(e.Number, RuntimeIdentity);
            return Task.CompletedTask;
        });
    }

    public Task PingAsync() => Task.CompletedTask;
}

/// <summary>Explicit subscriber (subscription kept in "PubSubStore"); key "{namespace}|{stream guid}".</summary>
public sealed class ExplicitSubscriberGrain : Grain, IExplicitSubscriberGrain
{
    private IAsyncStream<ProgressEvent> _stream = null!;
    private StreamRecorder _recorder = null!;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var parts = this.GetPrimaryKeyString().Split('|');
        var id = Guid.Parse(parts[1]);
        _recorder = StreamRecorder.For("explicit", parts[0], id);
        _stream = this.GetStreamProvider(TestEnvironment.Provider).GetStream<ProgressEvent>(StreamId.Create(parts[0], id));
        foreach (var handle in await _stream.GetAllSubscriptionHandles()) await handle.ResumeAsync(OnNextAsync);
    }

    public async Task SubscribeAsync()
    {
        if ((await _stream.GetAllSubscriptionHandles()).Count == 0) await _stream.SubscribeAsync(OnNextAsync);
    }

    private Task OnNextAsync(ProgressEvent e, StreamSequenceToken? token)
    {
        _recorder.Add(e.Number, RuntimeIdentity);
        return Task.CompletedTask;
    }
}

public sealed class PublisherGrain : Grain, IPublisherGrain
{
    public async Task PublishAsync(string ns, Guid stream, int from, int count)
    {
        var s = this.GetStreamProvider(TestEnvironment.Provider).GetStream<ProgressEvent>(StreamId.Create(ns, stream));
        for (var i = from; i < from + count; i++) await s.OnNextAsync(new ProgressEvent(stream, i));
    }
}
