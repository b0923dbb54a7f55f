using System.Text;
using RabbitMQ.Client;
using ViraLoop.Runtime.Hosting;
using ViraLoop.Runtime.PostgreSql;
using ViraLoop.Runtime.RabbitMQ;
using ViraLoop.Runtime.Tests.Infrastructure;
using ViraLoop.Runtime.TestGrains;
using Xunit;

namespace ViraLoop.Runtime.Tests;

/// <summary>The contract in cluster mode: two silos and a client over real RabbitMQ and PostgreSQL.</summary>
public sealed class ClusterModeTests : GrainRuntimeContractTests
{
    private string _db = "";
    private readonly string _prefix = Servers.UniquePrefix();

    protected override int SiloCount => 2;
    protected override bool SeparateClient => true;

    public override async Task InitializeAsync() => _db = await Servers.CreateDatabaseAsync();

    protected override void UseMode(SiloBuilder builder, bool sharedTransport)
    {
        builder.UsePostgres(_db);
        if (sharedTransport) builder.UseRabbitMq(Servers.RabbitMq, o => { o.ExchangePrefix = _prefix; o.Partitions = 4; });
        else builder.UseInProcessTransport();
    }

    [Fact]
    public async Task RawPoisonMessages_AreDeadLettered_AndPartitionKeepsFlowing()
    {
        var c = await StartAsync();
        var key = "poison-" + Guid.NewGuid().ToString("N")[..6];
        var g = c.Client.GetGrain<ICounterGrain>(key);
        Assert.Equal(1, await g.Increment(1));

        var factory = new ConnectionFactory { Uri = new Uri(Servers.RabbitMq) };
        await using (var conn = await factory.CreateConnectionAsync())
        await using (var ch = await conn.CreateChannelAsync())
        {
            var exchange = $"{_prefix}.grain.counter";
            await ch.BasicPublishAsync(exchange, key, false, new BasicProperties { MessageId = "bad-json", Type = "Increment" },
                Encoding.UTF8.GetBytes("{not json"));
            await ch.BasicPublishAsync(exchange, key, false, new BasicProperties { MessageId = "bad-method", Type = "NoSuchMethod" },
                Encoding.UTF8.GetBytes("[]"));
        }
        Assert.Equal(3, await g.Increment(2)); // same key, same partition, after the poison
        var letters = await c.Silos[0].Store.ListAsync(100);
        Assert.Contains(letters, l => l.MessageId == "bad-json" && l.Reason.Contains("Unreadable"));
        Assert.Contains(letters, l => l.MessageId == "bad-method" && l.Reason.Contains("NoSuchMethod"));
    }

    [Fact]
    public async Task ManagementApi_ShowsQueuedCalls_AndPartitionOwners()
    {
        var c = await StartAsync();
        await c.Client.GetGrain<ICounterGrain>("depth").Increment(1);
        var pending = Enumerable.Range(0, 6).Select(i => c.Client.GetGrain<IGpuProbeGrain>($"queued-{i}").WhereAmI()).ToList(); // no GPU silo yet
        var management = RabbitMqManagementClient.Create(Environment.GetEnvironmentVariable("VIRALOOP_RABBITMQ_MANAGEMENT")!, _prefix);
        IReadOnlyList<PartitionQueueInfo> partitions = [];
        await Wait.UntilAsync(async () =>
        {
            // The broker refreshes these statistics every few seconds; wait until they show the whole picture.
            partitions = await management.GetPartitionsAsync();
            return partitions.Where(p => p.GrainType == "gpu-probe").Sum(p => p.Ready) == 6
                && partitions.Count(p => p.GrainType == "counter" && p.Consumers == 2) == 4;
        }, "the management API to count the six queued GPU calls and both silos on every counter partition", TimeSpan.FromMilliseconds(500), 30);
        var counters = partitions.Where(p => p.GrainType == "counter").ToList();
        Assert.Equal(4, counters.Count);
        Assert.All(counters, p => Assert.False(string.IsNullOrEmpty(p.ActiveConsumer))); // both silos wait on every partition; one owns it
        Assert.All(partitions.Where(p => p.GrainType == "gpu-probe"), p => Assert.Equal(0, p.Consumers));
        Assert.All(pending, t => Assert.False(t.IsCompleted));
    }

    [Fact]
    public async Task DeadLetterStoreDown_MessageIsRequeued_AndSettledOnceItIsBack()
    {
        var c = await StartAsync(o => { o.MaxAttempts = 1; o.RequeueDelay = TimeSpan.FromMilliseconds(100); });
        async Task Sql(string sql)
        {
            await using var conn = new Npgsql.NpgsqlConnection(_db);
            await conn.OpenAsync();
            await using var cmd = new Npgsql.NpgsqlCommand(sql, conn);
            await cmd.ExecuteNonQueryAsync();
        }
        var key = "outage-" + Guid.NewGuid().ToString("N")[..6];
        await Sql("ALTER TABLE vl_dead_letters RENAME TO vl_dead_letters_away");
        await c.Client.GetGrain<ICounterGrain>(key).FailOneWay("during the outage");
        // It cannot be dead-lettered, so it goes back to the broker and comes round again (each round is a handler failure).
        await Wait.UntilAsync(() => Task.FromResult(c.Silos.Sum(s => s.Metrics.HandlerFailures) >= 3),
            "the message to be redelivered while the dead-letter table is gone", TimeSpan.FromMilliseconds(100), 30);
        await Sql("ALTER TABLE vl_dead_letters_away RENAME TO vl_dead_letters");
        await Wait.UntilAsync(async () => (await c.Silos[0].Store.ListAsync(100)).Any(l => l.GrainKey == key),
            "the message to reach the dead-letter table once it is back", TimeSpan.FromMilliseconds(100), 30);
        Assert.Equal(5, await c.Client.GetGrain<ICounterGrain>(key).Increment(5));
    }

    [Fact]
    public async Task GrainTypeWithNoHostingSilo_WaitsInItsQueue_UntilOneJoins()
    {
        // No silo of this cluster has the gpu role: the call is queued, not lost, and answered once a GPU silo starts.
        var c = await StartAsync();
        var call = c.Client.GetGrain<IGpuProbeGrain>("g1").WhereAmI();
        Assert.False(call.IsCompleted);
        var gpu = BuildSilo(c.Log, o => { o.Roles.Add("gpu"); o.SiloId = "gpu-" + Guid.NewGuid().ToString("N")[..6]; });
        await gpu.StartAsync();
        try
        {
            Assert.Equal(gpu.SiloId, await Wait.ForAsync(call, "the queued GPU call"));
            Assert.Contains("gpu-probe", gpu.HostedGrainTypes);
            Assert.All(c.Silos, s => Assert.DoesNotContain("gpu-probe", s.HostedGrainTypes));
        }
        finally { await gpu.DisposeAsync(); }
    }
}
