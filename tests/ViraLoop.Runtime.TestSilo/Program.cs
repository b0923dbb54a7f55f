// A silo process for the cluster chaos tests: hosts the test grains in cluster mode and prints
// "READY <silo>" once consuming, then a METRICS line every 200 ms. Stops gracefully on SIGTERM.
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using ViraLoop.Runtime.Hosting;
using ViraLoop.Runtime.PostgreSql;
using ViraLoop.Runtime.RabbitMQ;
using ViraLoop.Runtime.TestGrains;

string Arg(string name, string? fallback = null)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback ?? throw new ArgumentException($"missing {name}");
}

var siloId = Arg("--silo-id");
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
