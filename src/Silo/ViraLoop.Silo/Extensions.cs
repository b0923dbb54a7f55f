using ViraLoop.Runtime.Configuration;
using ViraLoop.Runtime.Hosting;

namespace ViraLoop.Silo;

public static class Extensions
{
    /// <summary>The CPU silo: hosts the domain grains; mode and knobs from the ViraLoop configuration section.</summary>
    public static WebApplicationBuilder AddViraLoopSilo(this WebApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter()));
        builder.Services.AddConfiguredSilo(builder.Configuration, b => b.AddGrainsFromAssembly(typeof(ViraLoop.Grains.GrainsAssembly).Assembly));
        return builder;
    }

    /// <summary>Cluster dashboard data: silos with their status, this silo's counters, recent dead letters.</summary>
    public static WebApplication MapClusterEndpoints(this WebApplication app)
    {
        app.MapGet("/health", (Runtime.Hosting.Silo silo) => Results.Ok(new { status = "ok", silo = silo.SiloId }));
        var cluster = app.MapGroup("/v1/cluster");
        cluster.MapGet("/silos", async (Runtime.Hosting.Silo silo, CancellationToken ct) => Results.Ok(await silo.GetSilosAsync(ct)));
        cluster.MapGet("/metrics", (Runtime.Hosting.Silo silo) => Results.Ok(new
        {
            silo = silo.SiloId,
            grainTypes = silo.HostedGrainTypes,
            activations = silo.ActivationCount,
            counters = silo.Metrics.Snapshot(),
        }));
        cluster.MapGet("/dead-letters", async (Runtime.Hosting.Silo silo, int? limit, CancellationToken ct) =>
            limit is < 1 or > 1000
                ? Results.Problem(statusCode: 400, title: "limit must be between 1 and 1000")
                : Results.Ok(await silo.Store.ListAsync(limit ?? 100, ct)));
        cluster.MapGet("/queues", async (IServiceProvider services, CancellationToken ct) =>
            services.GetService<Runtime.RabbitMQ.RabbitMqManagementClient>() is { } management
                ? Results.Ok(await management.GetPartitionsAsync(cancellationToken: ct))
                : Results.Problem(statusCode: 404, title: "Queue depths need cluster mode and ViraLoop:RabbitMqManagement (the broker's management API URL)."));
        return app;
    }
}
