using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Orleans.Dashboard;
using Orleans.Runtime;
using Orleans.Runtime.MembershipService.SiloMetadata;
using ViraLoop.Grains.Placement;

namespace ViraLoop.Hosting;

/// <summary>One silo per ASP.NET Core app: Orleans, dashboard, OpenTelemetry and the endpoints every silo serves.</summary>
public static class SiloHost
{
    /// <summary>Hosts an Orleans silo configured from the <c>ViraLoop</c> section, with the dashboard and telemetry.</summary>
    public static ViraLoopOptions AddViraLoopSilo(this IHostApplicationBuilder builder, params string[] extraRoles)
    {
        var options = ViraLoopOptions.From(builder.Configuration);
        builder.UseOrleans(silo =>
        {
            silo.UseViraLoop(options, extraRoles);
            silo.AddDashboard();
        });
        builder.Services.AddViraLoopTelemetry(options);
        return options;
    }

    /// <summary>Orleans' meters and activities, exported as Prometheus text (<c>/metrics</c>) and, when configured, OTLP.</summary>
    public static IServiceCollection AddViraLoopTelemetry(this IServiceCollection services, ViraLoopOptions options)
    {
        var otlp = options.OtlpEndpoint;
        services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddDetector(sp => new SiloResource(sp.GetRequiredService<ILocalSiloDetails>())))
            .WithMetrics(m =>
            {
                m.AddMeter("Microsoft.Orleans", ViraLoop.Grains.Execution.ViraLoopMetrics.MeterName).AddPrometheusExporter();
                if (otlp is { Length: > 0 }) m.AddOtlpExporter(o => { o.Endpoint = new Uri(otlp.TrimEnd('/') + "/v1/metrics"); o.Protocol = OpenTelemetry.Exporter.OtlpExportProtocol.HttpProtobuf; });
            })
            .WithTracing(t =>
            {
                // ViraLoop's own spans (a job's steps, voices and visuals) always; every grain call's only when tracing is on.
                t.AddSource(ViraLoop.Grains.Execution.ViraLoopTracing.SourceName);
                if (options.TracingEnabled) t.AddSource("Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application");
                if (otlp is { Length: > 0 }) t.AddOtlpExporter(o => { o.Endpoint = new Uri(otlp.TrimEnd('/') + "/v1/traces"); o.Protocol = OpenTelemetry.Exporter.OtlpExportProtocol.HttpProtobuf; });
            });
        return services;
    }

    /// <summary><c>/health</c> (200 once the silo is an active member, else 503), <c>/metrics</c>, <c>/dashboard</c>, <c>/v1/cluster/silos</c>.</summary>
    public static IEndpointRouteBuilder MapViraLoopSiloEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health", (ILocalSiloDetails local, IClusterMembershipService membership) =>
        {
            var status = membership.CurrentSnapshot.GetSiloStatus(local.SiloAddress);
            var body = new { status = status == SiloStatus.Active ? "ok" : "starting", silo = local.Name, siloStatus = status.ToString() };
            return status == SiloStatus.Active ? Results.Ok(body) : Results.Json(body, statusCode: StatusCodes.Status503ServiceUnavailable);
        });
        app.MapPrometheusScrapingEndpoint("/metrics");
        app.MapOrleansDashboard("/dashboard");
        app.MapGet("/v1/cluster/silos", (IClusterMembershipService membership, ISiloMetadataCache metadata) =>
            Results.Ok(ClusterView.Silos(membership, metadata)));
        return app;
    }
}

/// <summary>The OpenTelemetry resource of a silo: service <c>viraloop</c>, instance = the silo's name.</summary>
internal sealed class SiloResource(ILocalSiloDetails silo) : OpenTelemetry.Resources.IResourceDetector
{
    public OpenTelemetry.Resources.Resource Detect() => new([
        new("service.name", "viraloop"), new("service.instance.id", silo.Name), new("service.version", typeof(SiloResource).Assembly.GetName().Version?.ToString() ?? "0"),
    ]);
}

/// <summary>A silo as the cluster endpoints show it.</summary>
public sealed record SiloView(string Name, string Address, string Status, string[] Roles, int? GpuSlots, string? GpuDevice);

public static class ClusterView
{
    public static IReadOnlyList<SiloView> Silos(IClusterMembershipService membership, ISiloMetadataCache metadata) =>
        membership.CurrentSnapshot.Members.Values
            .OrderBy(m => m.Name, StringComparer.Ordinal)
            .Select(m =>
            {
                var md = metadata.GetSiloMetadata(m.SiloAddress).Metadata;
                return new SiloView(m.Name, m.SiloAddress.ToParsableString(), m.Status.ToString(),
                    md.TryGetValue(SiloMetadataKeys.Role, out var r) ? r.Split(',', StringSplitOptions.RemoveEmptyEntries) : [],
                    md.TryGetValue(SiloMetadataKeys.GpuSlots, out var s) && int.TryParse(s, out var n) ? n : null,
                    md.TryGetValue(SiloMetadataKeys.GpuDevice, out var d) ? d : null);
            })
            .ToList();
}
