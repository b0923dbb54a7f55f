using ViraLoop.Runtime.Hosting;
using ViraLoop.Runtime.TestGrains;

namespace ViraLoop.Runtime.Tests.Infrastructure;

/// <summary>Silos started for one test; <see cref="Client"/> calls through the same transport grains use.</summary>
public sealed class TestCluster(List<Silo> silos, Silo client, LifecycleLog log) : IAsyncDisposable
{
    public List<Silo> Silos { get; } = silos;
    public Silo ClientSilo { get; } = client;
    public IGrainFactory Client => ClientSilo.GrainFactory;
    public IStreamProvider Streams => ClientSilo.Streams;
    public LifecycleLog Log { get; } = log;

    public async ValueTask DisposeAsync()
    {
        foreach (var s in Silos.Append(ClientSilo).Distinct()) await s.DisposeAsync();
    }
}
