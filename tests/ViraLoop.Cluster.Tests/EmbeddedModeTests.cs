using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.Streams;
using ViraLoop.Client;
using ViraLoop.Cluster.Tests.Infrastructure;
using ViraLoop.Hosting;
using ViraLoop.TestGrains;
using Xunit;

namespace ViraLoop.Cluster.Tests;

/// <summary>Embedded mode: one silo in the process, SQLite state and reminders, memory streams; it is also the GPU silo.</summary>
[Collection("processes")]
public sealed class EmbeddedModeTests
{
    private static string NewDatabase() => Path.Combine(Directory.CreateTempSubdirectory("vl-embedded-").FullName, "state.db");

    [Fact]
    public async Task State_SurvivesARestartOfTheEmbeddedSilo_OnTheSameFile()
    {
        var db = NewDatabase();
        await using (var vl = await ViraLoopClient.StartEmbeddedAsync(db))
        {
            var c = vl.Grains.GetGrain<ICounterGrain>("a");
            var op = Guid.NewGuid();
            Assert.Equal(5, await c.Add(op, 5));
            Assert.Equal(5, await c.Add(op, 5)); // the same operation again is not applied twice
            Assert.Equal(12, await c.Add(Guid.NewGuid(), 7));
        }
        await using (var vl = await ViraLoopClient.StartEmbeddedAsync(db))
        {
            Assert.Equal(12, await vl.Grains.GetGrain<ICounterGrain>("a").Get());
            Assert.Equal(0, await vl.Grains.GetGrain<ICounterGrain>("never-written").Get());
        }
    }

    [Fact]
    public async Task TheEmbeddedSilo_IsAGpuSilo_SoInferenceGrainsRunThere()
    {
        await using var vl = await ViraLoopClient.StartEmbeddedAsync(NewDatabase());
        Assert.StartsWith("embedded-", await vl.Grains.GetGrain<IInferenceProbeGrain>(1).Silo());
    }

    [Fact]
    public async Task InferenceActivations_AreCountedAsGpuLoad_AndFailedOnesAreNot()
    {
        await using var vl = await ViraLoopClient.StartEmbeddedAsync(NewDatabase());
        var load = vl.Services.GetRequiredService<ViraLoop.Hosting.Placement.LocalGpuLoad>();
        for (var i = 0; i < 7; i++) await vl.Grains.GetGrain<IInferenceProbeGrain>(i).Silo();
        for (var i = 0; i < 5; i++)
            await Assert.ThrowsAnyAsync<Exception>(() => vl.Grains.GetGrain<IFailingInferenceGrain>(i).Silo());
        // Seven probes plus the silo's own GPU worker (one per GPU silo, also an inference activation).
        await Wait.UntilAsync(() => Task.FromResult(load.Activations == 8), $"the GPU load to count 8 activations (it counts {load.Activations})",
            TimeSpan.FromMilliseconds(50), 10);
    }

    [Fact]
    public async Task ProgressStream_DeliversAGrainsEventsInOrder()
    {
        await using var vl = await ViraLoopClient.StartEmbeddedAsync(NewDatabase(),
            silo => silo.AddPlacementDirector<NamedSiloPlacement, NamedSiloPlacementDirector>());
        var got = new List<int>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await vl.Streams.GetStream<Tick>(StreamId.Create(PublisherGrain.Namespace, "e1")).SubscribeAsync((t, _) =>
        {
            lock (got) { got.Add(t.Number); if (got.Count == 100) done.TrySetResult(); }
            return Task.CompletedTask;
        });
        await vl.Grains.GetGrain<IPublisherGrain>("p").Publish("e1", 0, 100);
        await Wait.ForAsync(done.Task, "100 events", 30);
        Assert.Equal(Enumerable.Range(0, 100), got);
    }

    [Fact]
    public async Task Kill9OfAnEmbeddedSiloProcess_ThenRestart_KeepsItsSqliteState()
    {
        var db = NewDatabase();
        var gateway = SiloHosting.FreePort();
        var settings = new Dictionary<string, string>
        {
            ["Mode"] = "embedded",
            ["Database"] = db,
            ["SiloPort"] = "0",
            ["GatewayPort"] = gateway.ToString(CultureInfo.InvariantCulture),
        };
        var options = new ViraLoopOptions { Mode = "embedded", GatewayPort = gateway };

        await using (var silo = new SiloProcess("embedded-1", settings))
        {
            await silo.WaitReadyAsync();
            await using var client = await ViraLoopClient.ConnectAsync(options);
            for (var i = 1; i <= 20; i++) await client.Grains.GetGrain<ICounterGrain>("k" + i).Add(Guid.NewGuid(), i);
            silo.Kill();
            await silo.Exited;
        }
        await using (var silo = new SiloProcess("embedded-2", settings))
        {
            await silo.WaitReadyAsync();
            await using var client = await ViraLoopClient.ConnectAsync(options);
            for (var i = 1; i <= 20; i++) Assert.Equal(i, await client.Grains.GetGrain<ICounterGrain>("k" + i).Get());
        }
    }
}
