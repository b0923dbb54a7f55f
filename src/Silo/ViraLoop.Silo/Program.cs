using ViraLoop.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddViraLoopSilo();
builder.Services.AddProblemDetails();
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter()));
var app = builder.Build();
app.MapViraLoopSiloEndpoints();
app.Run();

public partial class Program;
