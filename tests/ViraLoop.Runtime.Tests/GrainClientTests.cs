using ViraLoop.Client;
using ViraLoop.Runtime.Hosting;
using ViraLoop.Runtime.PostgreSql;
using ViraLoop.Runtime.RabbitMQ;
using ViraLoop.Runtime.Tests.Infrastructure;
using ViraLoop.Runtime.TestGrains;
using Xunit;

namespace ViraLoop.Runtime.Tests;

public sealed class GrainClientTests
{
    [Fact]
    public async Task ConnectAsync_ToACluster_CallsGrainsOnItsSilo()
    {
        var db = await Servers.CreateDatabaseAsync();
        var prefix = Servers.UniquePrefix();
        await using var silo = new SiloBuilder().Configure(o => o.SiloId = "sdk-silo").AddGrainsFromAssembly(typeof(CounterGrain).Assembly)
            .UseRabbitMq(Servers.RabbitMq, o => { o.ExchangePrefix = prefix; o.Partitions = 8; }).UsePostgres(db).Build();
        await silo.StartAsync();
        await using var client = await GrainClient.ConnectAsync(Servers.RabbitMq, db, partitions: 8, exchangePrefix: prefix);
        Assert.Contains(await client.GetSilosAsync(), s => s.SiloId == "sdk-silo" && s.Status == SiloStatus.Active);
        Assert.Equal("sdk-silo", await client.GetGrain<ICounterGrain>("x").WhereAmI());
        Assert.Equal(3, await client.GetGrain<ICounterGrain>("x").Increment(3));
    }

    [Fact]
    public async Task StartEmbeddedAsync_HostsGrainsInProcess_WithStateInSqlite()
    {
        var dir = Directory.CreateTempSubdirectory("vl-sdk-").FullName;
        await using (var client = await GrainClient.StartEmbeddedAsync(Path.Combine(dir, "s.db"), b => b.AddGrain<ICounterGrain, CounterGrain>()))
            Assert.Equal(4, await client.GetGrain<ICounterGrain>("k").Increment(4));
        await using (var again = await GrainClient.StartEmbeddedAsync(Path.Combine(dir, "s.db"), b => b.AddGrain<ICounterGrain, CounterGrain>()))
            Assert.Equal(5, await again.GetGrain<ICounterGrain>("k").Increment(1));
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(dir, true);
    }
}
