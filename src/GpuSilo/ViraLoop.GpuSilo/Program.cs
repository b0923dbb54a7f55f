// The GPU silo: silo metadata role=gpu (with its slots and device, "cpu" when it has no GPU), so grains marked
// [GpuPlacement] (inference workers) activate here and never on a plain silo. Serves the API like every silo, /health and /metrics.
using Microsoft.Extensions.DependencyInjection.Extensions;
using ViraLoop.Api;
using ViraLoop.Grains.Placement;
using ViraLoop.Hosting;

var builder = WebApplication.CreateBuilder(args);
var options = builder.AddViraLoopSilo(SiloMetadataKeys.GpuRole);
builder.Services.TryAddSingleton(options);
builder.Services.AddViraLoopApi();
var app = builder.Build();
app.MapViraLoopApi();
app.MapViraLoopSiloEndpoints();
app.Run();
