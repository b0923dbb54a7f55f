using System.Collections.Concurrent;
using ViraLoop.Runtime.Hosting;
using ViraLoop.Runtime.Messaging;

namespace ViraLoop.Runtime.Activation;

/// <summary>The silo's activations: at most one per grain id, created on the first message.</summary>
internal sealed class Catalog(Silo silo, IReadOnlyDictionary<string, HostedGrainType> hosted) : IMessageSink
{
    private readonly ConcurrentDictionary<GrainId, GrainActivation> _activations = new();

    public Silo Silo { get; } = silo;
    public IReadOnlyDictionary<string, HostedGrainType> Hosted { get; } = hosted;
    public int Count => _activations.Count;

    public IEnumerable<GrainId> ActiveGrains => _activations.Keys;

    public void Deliver(InboundMessage message)
    {
        Silo.Metrics.Delivered();
        var id = message.Envelope.Target;
        if (!Hosted.TryGetValue(id.Type, out var type))
        {
            _ = Silo.RejectAsync(message, $"Silo {Silo.SiloId} does not host grain type '{id.Type}'.");
            return;
        }
        while (true)
        {
            var activation = _activations.GetOrAdd(id, static (gid, a) => new GrainActivation(a.self, a.type, gid, null), (self: this, type));
            if (activation.TryEnqueue(message))
            {
                if (message.Partition is { } p) activation.Partition = p;
                return;
            }
            // The activation is deactivating: its successor starts once it has finished.
            var successor = new GrainActivation(this, type, id, activation.Completion);
            if (_activations.TryUpdate(id, successor, activation) && successor.TryEnqueue(message))
            {
                if (message.Partition is { } p) successor.Partition = p;
                return;
            }
        }
    }

    public void Remove(GrainActivation activation) =>
        _activations.TryRemove(new KeyValuePair<GrainId, GrainActivation>(activation.GrainId, activation));

    public int CollectIdle(DateTimeOffset now, TimeSpan age) =>
        _activations.Values.Count(a => a.TryCollect(now, age));

    public Task DrainAsync() =>
        Task.WhenAll(_activations.Values.Select(a => a.DrainAndDeactivateAsync(DeactivationReason.ShuttingDown)));

    /// <summary>Drops (without writing) every activation last fed from <paramref name="partition"/>: another silo owns it now.</summary>
    public int AbandonPartition(string partition)
    {
        int n = 0;
        foreach (var a in _activations.Values.Where(a => a.Partition == partition)) { a.Abandon(); n++; }
        return n;
    }

    public void AbandonAll()
    {
        foreach (var a in _activations.Values) a.Abandon();
    }
}
