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

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
