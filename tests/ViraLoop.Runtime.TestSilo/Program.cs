// A silo process for the chaos tests. Cluster mode: hosts the test grains over RabbitMQ + PostgreSQL,
// prints "READY <silo>" once consuming, then a METRICS line every 200 ms; stops gracefully on SIGTERM.
// Embedded mode (--mode embedded --db FILE): reads "inc KEY N" lines on stdin and answers "VALUE KEY V".
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using ViraLoop.Runtime.Hosting;
using ViraLoop.Runtime.PostgreSql;
using ViraLoop.Runtime.RabbitMQ;
using ViraLoop.Runtime.Sqlite;
using ViraLoop.Runtime.TestGrains;

string Arg(string name, string? fallback = null)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback ?? throw new ArgumentException($"missing {name}");
}

var siloId = Arg("--silo-id");
if (Arg("--mode", "cluster") == "embedded")
{
    await using var embedded = new SiloBuilder().Configure(o => o.SiloId = siloId)
        .AddGrainsFromAssembly(typeof(CounterGrain).Assembly).UseEmbedded(Arg("--db")).Build();
    await embedded.StartAsync();
    Console.WriteLine($"READY {siloId}");
    string? line;
    while ((line = Console.ReadLine()) is not null)
    {
        var parts = line.Split(' ');
        if (parts is ["inc", var key, var n])
            Console.WriteLine($"VALUE {key} {await embedded.GrainFactory.GetGrain<ICounterGrain>(key).Increment(long.Parse(n, CultureInfo.InvariantCulture))}");
    }
    return;
}
var heartbeat = TimeSpan.FromMilliseconds(int.Parse(Arg("--heartbeat-ms", "2000"), CultureInfo.InvariantCulture));
var builder = new SiloBuilder()
    .Configure(o =>
    {
        o.SiloId = siloId;
        foreach (var r in Arg("--roles", "").Split(',', StringSplitOptions.RemoveEmptyEntries)) o.Roles.Add(r);
        o.HeartbeatInterval = heartbeat;
        o.ReminderPollInterval = TimeSpan.FromMilliseconds(200);
        o.MinimumReminderPeriod = TimeSpan.FromMilliseconds(100);
    })
    .AddGrainsFromAssembly(typeof(CounterGrain).Assembly)
    .UseRabbitMq(Arg("--rabbit"), o =>
    {
        o.ExchangePrefix = Arg("--prefix");
        o.Partitions = int.Parse(Arg("--partitions", "4"), CultureInfo.InvariantCulture);
        o.Prefetch = ushort.Parse(Arg("--prefetch", "32"), CultureInfo.InvariantCulture);
        o.Heartbeat = heartbeat;
        o.Rebalance = Arg("--rebalance", "true") == "true";
    })
    .UsePostgres(Arg("--pg"));
var services = new ServiceCollection().AddLogging().AddSingleton(new LifecycleLog()).BuildServiceProvider();
var silo = builder.Build(services);
var stop = new TaskCompletionSource();
using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c =>
{
    c.Cancel = true;
    stop.TrySetResult();
});
await silo.StartAsync();
Console.WriteLine($"READY {siloId}");
using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
var printer = Task.Run(async () =>
{
    while (await timer.WaitForNextTickAsync())
    {
        var m = silo.Metrics;
        Console.WriteLine($"METRICS fenced={m.FencedWrites} stale={m.StaleDropped} completed={m.TurnsCompleted} deadLettered={m.DeadLettered}");
    }
});
await stop.Task;
await silo.StopAsync();
Console.WriteLine($"STOPPED {siloId}");
