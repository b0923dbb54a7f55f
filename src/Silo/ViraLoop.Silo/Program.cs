using ViraLoop.Silo;

var builder = WebApplication.CreateBuilder(args);
builder.AddViraLoopSilo();
var app = builder.Build();
app.MapClusterEndpoints();
app.Run();

public partial class Program;
