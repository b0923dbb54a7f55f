// The GPU silo: role "gpu", so grain types marked [SiloRole("gpu")] (inference workers) activate only here.
using Microsoft.Extensions.Hosting;
using ViraLoop.Runtime.Configuration;

var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddConfiguredSilo(builder.Configuration,
    b => b.AddGrainsFromAssembly(typeof(ViraLoop.Grains.GrainsAssembly).Assembly), "gpu");
await builder.Build().RunAsync();
