using Microsoft.Extensions.DependencyInjection.Extensions;
using ViraLoop.Api;
using ViraLoop.Hosting;

var builder = WebApplication.CreateBuilder(args);
var options = builder.AddViraLoopSilo();
builder.Services.TryAddSingleton(options);
builder.Services.AddViraLoopApi();
var app = builder.Build();
app.MapViraLoopApi();
app.MapViraLoopSiloEndpoints();
app.Run();

public partial class Program;
