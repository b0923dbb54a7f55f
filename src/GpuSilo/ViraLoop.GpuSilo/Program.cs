// The GPU silo: silo metadata role=gpu (with its slots and device, "cpu" when it has no GPU), so grains marked
// [GpuPlacement] (inference workers) activate here and never on a plain silo. Serves /health and /metrics.
using ViraLoop.Grains.Placement;
using ViraLoop.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddViraLoopSilo(SiloMetadataKeys.GpuRole);
var app = builder.Build();
app.MapViraLoopSiloEndpoints();
app.Run();
