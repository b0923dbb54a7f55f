using ViraLoop.Runtime.Tests.Infrastructure;
using Xunit;

namespace ViraLoop.Runtime.Tests;

/// <summary>Embedded mode in a real process: state in the SQLite file survives a kill -9 and a restart.</summary>
[Collection("silo processes")]
public sealed class EmbeddedProcessRestartTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vl-embedded-proc-").FullName;

    [Fact]
    public async Task KillMinus9ThenRestart_StateIsStillThere()
    {
        var db = Path.Combine(_dir, "state.db");
        await using (var first = new SiloProcess("embedded-1", ["--mode", "embedded", "--db", db]))
        {
            await first.WaitReadyAsync();
            Assert.Equal(5, await first.IncrementAsync("apples", 5));
            Assert.Equal(7, await first.IncrementAsync("apples", 2));
            Assert.Equal(1, await first.IncrementAsync("pears", 1));
            first.Kill(); // no graceful stop: the acknowledged writes must already be on disk
        }
        await using var second = new SiloProcess("embedded-2", ["--mode", "embedded", "--db", db]);
        await second.WaitReadyAsync();
        Assert.Equal(10, await second.IncrementAsync("apples", 3));
        Assert.Equal(2, await second.IncrementAsync("pears", 1));
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
