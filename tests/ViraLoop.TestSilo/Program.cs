// A silo process for the multi-process tests: the real ViraLoop silo configuration (SiloHosting.UseViraLoop) plus
// the test grains, and the HTTP API and hub on a free loopback port. Configuration from the environment (ViraLoop__…)
// and the command line (--ViraLoop:SiloId x). Prints HTTP <url> and READY when the silo has joined, STOPPED when it has
// shut down gracefully.
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Configuration;
using ViraLoop.Api;
using ViraLoop.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.Logging.ClearProviders().AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
builder.WebHost.UseUrls(builder.Configuration["Http"] is { Length: > 0 } urls ? urls : "http://127.0.0.1:0");
var options = ViraLoopOptions.From(builder.Configuration);
var extraRoles = builder.Configuration["Role"] is { Length: > 0 } r ? new[] { r } : [];
builder.UseOrleans(silo =>
{
    silo.UseViraLoop(options, extraRoles);
    silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
    silo.AddPlacementDirector<ViraLoop.TestGrains.NamedSiloPlacement, ViraLoop.TestGrains.NamedSiloPlacementDirector>();
});
builder.Services.TryAddSingleton(options);
builder.Services.AddViraLoopApi();
builder.Services.AddViraLoopTelemetry(options);
var app = builder.Build();
app.MapViraLoopApi();
app.Lifetime.ApplicationStarted.Register(() =>
{
    var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
    Console.WriteLine($"HTTP {address}");
    Console.WriteLine($"READY {options.SiloId}");
});
await app.RunAsync();
Console.WriteLine($"STOPPED {options.SiloId}");
