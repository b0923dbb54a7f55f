using ViraLoop.Runtime.Hosting;
using ViraLoop.Runtime.Sqlite;

namespace ViraLoop.Runtime.Tests;

/// <summary>The contract in embedded mode: in-process mailboxes, state in a SQLite file.</summary>
public sealed class EmbeddedModeTests : GrainRuntimeContractTests, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vl-embedded-").FullName;

    protected override int SiloCount => 1;
    protected override bool SeparateClient => false;

    protected override void UseMode(SiloBuilder builder, bool sharedTransport) =>
        builder.UseEmbedded(Path.Combine(_dir, "state.db"));

    [Xunit.Fact]
    public async Task CallToGrainTypeThisSiloDoesNotHost_FailsClearly_AndIsDeadLettered()
    {
        var c = await StartAsync();
        var e = await Xunit.Assert.ThrowsAsync<GrainCallException>(() => c.Client.GetGrain<TestGrains.IGpuProbeGrain>("g").WhereAmI());
        Xunit.Assert.Contains("does not host grain type 'gpu-probe'", e.RemoteMessage);
        Xunit.Assert.Contains(await c.Silos[0].Store.ListAsync(10), l => l.GrainType == "gpu-probe");
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
