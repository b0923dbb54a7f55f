using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using ViraLoop.Runtime;
using ViraLoop.Runtime.Hosting;
using ViraLoop.Runtime.PostgreSql;
using ViraLoop.Runtime.RabbitMQ;
using ViraLoop.Runtime.Sqlite;

namespace ViraLoop.Bench;

/// <summary>
/// Messages per second and call latency, embedded and cluster, with a raw RabbitMQ publish/consume of
/// the same settings (persistent, confirms, consistent-hash exchange, single-active-consumer queues,
/// same prefetch and sender concurrency) measured in the same run.
/// </summary>
public static class RuntimeBench
{
    public static async Task RunAsync(string[] args)
    {
        int embeddedMessages = Arg(args, "--embedded-messages", 2_000_000);
        int clusterMessages = Arg(args, "--cluster-messages", 40_000);
        int calls = Arg(args, "--calls", 5_000);
        const int senders = 32, partitions = 8, keys = 1000;
        Console.WriteLine($"# runtime bench  {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC  cores={Environment.ProcessorCount}");

        // ---- embedded ----
        var dir = Directory.CreateTempSubdirectory("vl-bench-").FullName;
        var counter = new BenchCounter();
        await using (var silo = Build(counter, b => b.UseEmbedded(Path.Combine(dir, "state.db"))))
        {
            await silo.StartAsync();
            var f = silo.GrainFactory;
            var grains = Enumerable.Range(0, keys).Select(k => f.GetGrain<IBenchGrain>($"b{k}")).ToArray();
            await OneWayAsync(grains, counter, 200_000, 1); // warm-up
            var rate = await OneWayAsync(grains, counter, embeddedMessages, 1);
            Console.WriteLine($"embedded one-way           {rate,12:N0} msg/s   ({embeddedMessages:N0} messages, {keys} grains, no state writes)");
            var (p50, p99) = await LatencyAsync(grains[0], calls);
            Console.WriteLine($"embedded request latency   p50 {p50 * 1000,7:N1} µs   p99 {p99 * 1000,7:N1} µs");
        }

        // ---- cluster ----
        var rabbit = Environment.GetEnvironmentVariable("VIRALOOP_RABBITMQ");
        var pg = Environment.GetEnvironmentVariable("VIRALOOP_POSTGRES");
        if (rabbit is null || pg is null)
        {
            Console.WriteLine("cluster: skipped (VIRALOOP_RABBITMQ / VIRALOOP_POSTGRES not set; run via scripts/bench.sh)");
            return;
        }
        var prefix = $"bench{Guid.NewGuid():N}"[..14];
        await using var server = Build(counter, b => b.UseRabbitMq(rabbit, o => { o.ExchangePrefix = prefix; o.Partitions = partitions; }).UsePostgres(pg));
        await using var client = new SiloBuilder().UseRabbitMq(rabbit, o => { o.ExchangePrefix = prefix; o.Partitions = partitions; }).UsePostgres(pg).Build();
        await server.StartAsync();
        await client.StartAsync();
        var cgrains = Enumerable.Range(0, keys).Select(k => client.GrainFactory.GetGrain<IBenchGrain>($"b{k}")).ToArray();
        await OneWayAsync(cgrains, counter, 5_000, senders);
        var raw = await RawBrokerAsync(rabbit, clusterMessages, senders, partitions);
        var ours = await OneWayAsync(cgrains, counter, clusterMessages, senders);
        Console.WriteLine($"raw RabbitMQ one-way       {raw,12:N0} msg/s   (persistent + confirms, {partitions} SAC partitions, {senders} senders)");
        Console.WriteLine($"cluster one-way            {ours,12:N0} msg/s   ratio {ours / raw:0.00}x of raw");
        var (rp50, rp99) = await RawRpcAsync(rabbit, calls);
        var (cp50, cp99) = await LatencyAsync(cgrains[0], calls);
        Console.WriteLine($"raw RabbitMQ request/reply p50 {rp50 * 1000,7:N1} µs   p99 {rp99 * 1000,7:N1} µs");
        Console.WriteLine($"cluster request latency    p50 {cp50 * 1000,7:N1} µs   p99 {cp99 * 1000,7:N1} µs");
    }

    private static int Arg(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 ? int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture) : fallback;
    }

    private static Silo Build(BenchCounter counter, Action<SiloBuilder> mode)
    {
        var b = new SiloBuilder().AddGrain<IBenchGrain, BenchGrain>();
        mode(b);
        return b.Build(new ServiceCollection().AddSingleton(counter).BuildServiceProvider());
    }

    private static async Task<double> OneWayAsync(IBenchGrain[] grains, BenchCounter counter, int messages, int senders)
    {
        var done = counter.Reset(messages);
        var sw = Stopwatch.StartNew();
        if (senders == 1)
        {
            for (int i = 0; i < messages; i++) await grains[i % grains.Length].Tell(i);
        }
        else
        {
            int next = -1;
            await Task.WhenAll(Enumerable.Range(0, senders).Select(async _ =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < messages) await grains[i % grains.Length].Tell(i);
            }));
        }
        await done.WaitAsync(TimeSpan.FromMinutes(5));
        return messages / sw.Elapsed.TotalSeconds;
    }

    private static async Task<(double P50, double P99)> LatencyAsync(IBenchGrain grain, int calls)
    {
        for (int i = 0; i < 200; i++) await grain.Ask(i);
        var ms = new double[calls];
        for (int i = 0; i < calls; i++)
        {
            var t = Stopwatch.GetTimestamp();
            await grain.Ask(i);
            ms[i] = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
        }
        Array.Sort(ms);
        return (ms[calls / 2], ms[(int)(calls * 0.99)]);
    }

    /// <summary>The same topology and settings with RabbitMQ.Client alone: the ceiling our transport is compared with.</summary>
    private static async Task<double> RawBrokerAsync(string uri, int messages, int senders, int partitions)
    {
        var prefix = $"raw{Guid.NewGuid():N}"[..12];
        var factory = new ConnectionFactory { Uri = new Uri(uri), ConsumerDispatchConcurrency = 1 };
        await using var pubConn = await factory.CreateConnectionAsync();
        await using var subConn = await factory.CreateConnectionAsync();
        await using var pub = await pubConn.CreateChannelAsync(new CreateChannelOptions(true, true));
        var exchange = prefix + ".x";
        await pub.ExchangeDeclareAsync(exchange, "x-consistent-hash", durable: true, autoDelete: true);
        long received = 0;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var channels = new List<IChannel>();
        for (int p = 0; p < partitions; p++)
        {
            var q = $"{prefix}.{p}";
            await pub.QueueDeclareAsync(q, durable: true, exclusive: false, autoDelete: true,
                arguments: new Dictionary<string, object?> { ["x-single-active-consumer"] = true, ["x-queue-type"] = "classic" });
            await pub.QueueBindAsync(q, exchange, "1");
            var ch = await subConn.CreateChannelAsync();
            await ch.BasicQosAsync(0, 32, false);
            var consumer = new AsyncEventingBasicConsumer(ch);
            consumer.ReceivedAsync += async (_, ea) =>
            {
                _ = ea.Body.ToArray();
                await ch.BasicAckAsync(ea.DeliveryTag, false);
                if (Interlocked.Increment(ref received) == messages) done.TrySetResult();
            };
            await ch.BasicConsumeAsync(q, false, consumer);
            channels.Add(ch);
        }
        var body = System.Text.Encoding.UTF8.GetBytes("[12345]");
        var sw = Stopwatch.StartNew();
        int next = -1;
        await Task.WhenAll(Enumerable.Range(0, senders).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < messages)
            {
                var props = new BasicProperties
                {
                    MessageId = Guid.NewGuid().ToString("N"), Type = "Tell", DeliveryMode = DeliveryModes.Persistent,
                    Headers = new Dictionary<string, object?> { ["vl-key"] = $"b{i % 1000}" },
                };
                await pub.BasicPublishAsync(exchange, $"b{i % 1000}", false, props, body);
            }
        }));
        await done.Task.WaitAsync(TimeSpan.FromMinutes(5));
        var rate = messages / sw.Elapsed.TotalSeconds;
        foreach (var ch in channels) await ch.CloseAsync();
        return rate;
    }

    private static async Task<(double P50, double P99)> RawRpcAsync(string uri, int calls)
    {
        var factory = new ConnectionFactory { Uri = new Uri(uri) };
        await using var conn = await factory.CreateConnectionAsync();
        await using var server = await conn.CreateChannelAsync();
        await using var client = await conn.CreateChannelAsync(new CreateChannelOptions(true, true));
        var q = (await server.QueueDeclareAsync($"rawrpc{Guid.NewGuid():N}", durable: true, exclusive: false, autoDelete: true)).QueueName;
        var serverConsumer = new AsyncEventingBasicConsumer(server);
        serverConsumer.ReceivedAsync += async (_, ea) =>
        {
            await server.BasicPublishAsync("", ea.BasicProperties.ReplyTo!, false, new BasicProperties { CorrelationId = ea.BasicProperties.CorrelationId }, ea.Body.ToArray());
            await server.BasicAckAsync(ea.DeliveryTag, false);
        };
        await server.BasicConsumeAsync(q, false, serverConsumer);
        TaskCompletionSource? pending = null;
        var replyConsumer = new AsyncEventingBasicConsumer(client);
        replyConsumer.ReceivedAsync += (_, _) => { pending?.TrySetResult(); return Task.CompletedTask; };
        await client.BasicConsumeAsync("amq.rabbitmq.reply-to", true, replyConsumer);
        var ms = new double[calls];
        var body = System.Text.Encoding.UTF8.GetBytes("[1]");
        for (int i = -200; i < calls; i++)
        {
            pending = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var t = Stopwatch.GetTimestamp();
            await client.BasicPublishAsync("", q, false, new BasicProperties { ReplyTo = "amq.rabbitmq.reply-to", CorrelationId = i.ToString(System.Globalization.CultureInfo.InvariantCulture), DeliveryMode = DeliveryModes.Persistent }, body);
            await pending.Task;
            if (i >= 0) ms[i] = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
        }
        Array.Sort(ms);
        return (ms[calls / 2], ms[(int)(calls * 0.99)]);
    }
}
