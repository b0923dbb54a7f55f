using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Streams;

namespace ViraLoop.Bench;

/// <summary>Echo grain for the call benchmarks. Random placement spreads activations over every silo.</summary>
[Alias("bench.echo")]
public interface IEchoGrain : IGrainWithIntegerKey
{
    [Alias("echo")] Task<int> Echo(int value);
    [Alias("silo")] Task<string> Silo();
}

[RandomPlacement]
public sealed class EchoGrain(ILocalSiloDetails silo) : Grain, IEchoGrain
{
    public Task<int> Echo(int value) => Task.FromResult(value);
    public Task<string> Silo() => Task.FromResult(silo.Name);
}

[GenerateSerializer, Alias("bench.writer-state")]
public sealed class WriterState
{
    [Id(0)] public long Value { get; set; }
    [Id(1)] public string Note { get; set; } = "";
}

/// <summary>Writes its state through the default grain storage on every call.</summary>
[Alias("bench.writer")]
public interface IWriterGrain : IGrainWithIntegerKey
{
    [Alias("write")] Task Write(long value);
}

[RandomPlacement]
public sealed class WriterGrain([PersistentState("bench")] IPersistentState<WriterState> state) : Grain, IWriterGrain
{
    public async Task Write(long value)
    {
        state.State.Value = value;
        state.State.Note = "progress";
        await state.WriteStateAsync();
    }
}

/// <summary>One numbered event on a benchmark stream.</summary>
[GenerateSerializer, Immutable, Alias("bench.tick")]
public sealed record BenchTick([property: Id(0)] int Number);

[Alias("bench.publisher")]
public interface IStreamPublisherGrain : IGrainWithIntegerKey
{
    [Alias("publish")] Task Publish(Guid stream, int from, int count);
    [Alias("silo")] Task<string> Silo();
}

[RandomPlacement]
public sealed class StreamPublisherGrain(ILocalSiloDetails silo) : Grain, IStreamPublisherGrain
{
    public const string Namespace = "bench";

    public async Task Publish(Guid stream, int from, int count)
    {
        var s = this.GetStreamProvider("progress").GetStream<BenchTick>(StreamId.Create(Namespace, stream));
        for (var i = from; i < from + count; i++) await s.OnNextAsync(new BenchTick(i));
    }

    public Task<string> Silo() => Task.FromResult(silo.Name);
}

[GenerateSerializer, Alias("bench.sub-progress")]
public sealed record SubscriberProgress([property: Id(0)] int Next, [property: Id(1)] int Duplicates, [property: Id(2)] int Gaps, [property: Id(3)] long LastTicks);

/// <summary>Explicit subscriber of one stream; checks that events arrive in order (duplicates of at-least-once
/// delivery are counted, never a gap or a reordering).</summary>
[Alias("bench.subscriber")]
public interface IStreamSubscriberGrain : IGrainWithIntegerKey
{
    [Alias("subscribe")] Task Subscribe(Guid stream);
    [Alias("progress")] Task<SubscriberProgress> Progress();
    [Alias("silo")] Task<string> Silo();
}

[RandomPlacement]
public sealed class StreamSubscriberGrain(ILocalSiloDetails silo) : Grain, IStreamSubscriberGrain
{
    private int _next, _duplicates, _gaps;
    private long _lastTicks;

    public async Task Subscribe(Guid stream)
    {
        var s = this.GetStreamProvider("progress").GetStream<BenchTick>(StreamId.Create(StreamPublisherGrain.Namespace, stream));
        await s.SubscribeAsync((e, _) =>
        {
            if (e.Number == _next) _next++;
            else if (e.Number < _next) _duplicates++;
            else { _gaps++; _next = e.Number + 1; }
            _lastTicks = DateTime.UtcNow.Ticks;
            return Task.CompletedTask;
        });
    }

    public Task<SubscriberProgress> Progress() => Task.FromResult(new SubscriberProgress(_next, _duplicates, _gaps, _lastTicks));
    public Task<string> Silo() => Task.FromResult(silo.Name);
}
