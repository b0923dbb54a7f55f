using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using ViraLoop.Runtime.Hosting;

namespace ViraLoop.Runtime.Configuration;

/// <summary>Exports grain-turn traces over OTLP (HTTP/protobuf) to a collector, Jaeger, Tempo….</summary>
public static class Tracing
{
    /// <summary>A tracer provider for the runtime's activities, sending them to <paramref name="endpoint"/> (for example http://collector:4318).</summary>
    public static TracerProvider CreateProvider(string endpoint, string serviceName) =>
        Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(ResourceBuilder.CreateDefault().AddService(serviceName))
            .AddSource(RuntimeTelemetry.SourceName)
            .AddOtlpExporter(o =>
            {
                o.Endpoint = new Uri(endpoint.TrimEnd('/') + "/v1/traces");
                o.Protocol = OtlpExportProtocol.HttpProtobuf;
            })
            .Build();

    /// <summary>Turns on OTLP export when <c>ViraLoop:Otlp</c> (or OTEL_EXPORTER_OTLP_ENDPOINT) names an endpoint.</summary>
    public static IServiceCollection AddTracingFromConfiguration(this IServiceCollection services, IConfiguration configuration, string serviceName)
    {
        var endpoint = configuration.GetSection("ViraLoop")["Otlp"] ?? configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        if (string.IsNullOrWhiteSpace(endpoint)) return services;
        services.AddSingleton(_ => CreateProvider(endpoint, serviceName)); // disposed (and flushed) with the host
        services.AddHostedService<StartTracing>();
        return services;
    }

    private sealed class StartTracing(TracerProvider provider) : Microsoft.Extensions.Hosting.IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask; // constructing it is enough
        public Task StopAsync(CancellationToken cancellationToken)
        {
            provider.ForceFlush(5000);
            return Task.CompletedTask;
        }
    }
}
