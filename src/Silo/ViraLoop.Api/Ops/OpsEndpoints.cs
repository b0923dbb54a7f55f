using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Runtime.MembershipService.SiloMetadata;
using ViraLoop.Api.Auth;
using ViraLoop.Api.Experiments;
using ViraLoop.Contracts;
using ViraLoop.Grains;
using ViraLoop.Grains.Execution;
using ViraLoop.Grains.Messages;
using ViraLoop.Hosting;

namespace ViraLoop.Api.Ops;

/// <summary>A GPU silo as the dashboard shows it: the silo, its device and slots, and what its worker says.</summary>
public sealed record GpuWorkerView(string Silo, string Status, string? Device, int Slots, int Busy, long Completed, bool Pulling,
    IReadOnlyList<string> Backends, DateTimeOffset? LastPull, int Leased, string? Error);

public sealed record GpuPageView(IReadOnlyList<GpuWorkerView> Workers, GpuQueueView Queue, DateTimeOffset At);

/// <summary>One stream queue as RabbitMQ's management API reports it; a parking queue holds messages that could not be decoded.</summary>
public sealed record StreamQueueView(string Name, bool Parking, long Messages, long Ready, long Unacknowledged, int Consumers, double PublishRate, double DeliverRate);

public sealed record StreamsPageView(string Provider, IReadOnlyList<StreamQueueView> Queues, string? Error, DateTimeOffset At);

/// <summary>An experiment of any tenant, as the dashboard lists it (newest first).</summary>
public sealed record OpsExperimentEntry(string Tenant, string Id, string Name, DateTimeOffset CreatedAt);

public sealed record OpsExperimentList(IReadOnlyList<OpsExperimentEntry> Items, DateTimeOffset At);

/// <summary>
/// The dashboard's data (<c>/v1/admin/ops</c>, admin key): silos, GPU workers and their queue, jobs, stream queues and
/// a job's trace, and every tenant's experiments. The pages at <c>/ops/</c> read these.
/// </summary>
public static class OpsEndpoints
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(3) };
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(3);

    public static IEndpointRouteBuilder MapOpsEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/v1/admin/ops").RequireAuthorization(Principals.AdminPolicy).WithTags("admin");
        g.MapGet("/silos", (IClusterMembershipService membership, ISiloMetadataCache metadata) => Results.Ok(ClusterView.Silos(membership, metadata)))
            .Produces<IReadOnlyList<SiloView>>();
        g.MapGet("/gpu", GpuAsync).Produces<GpuPageView>();
        g.MapGet("/jobs", async (IGrainFactory grains) => Results.Ok(await grains.GetGrain<IJobStatsGrain>(JobStatsKeys.Cluster).GetView()))
            .Produces<JobsView>();
        g.MapGet("/streams", StreamsAsync).Produces<StreamsPageView>();
        g.MapGet("/jobs/{tenant}/{id}/trace", async (string tenant, string id, IGrainFactory grains) =>
        {
            if (!Principals.IsTenantId(tenant) || !VideoIds.IsValid(id)) return Problems.NotFound();
            try { return Results.Ok(await grains.GetGrain<IVideoJobGrain>(JobKeys.Of(tenant, id)).GetTrace()); }
            catch (KeyNotFoundException) { return Problems.NotFound(); }
        }).Produces<JobTrace>().ProducesProblem(404);
        g.MapGet("/experiments", async (string? tenant, IGrainFactory grains) =>
        {
            if (tenant is not null && !Principals.IsTenantId(tenant)) return Problems.NotFound("tenant");
            var entries = await grains.GetGrain<IExperimentDirectoryGrain>(ExperimentKeys.Directory).List(tenant);
            return Results.Ok(new OpsExperimentList(entries.Select(e => new OpsExperimentEntry(e.TenantId, e.ExperimentId, e.Name, e.CreatedAt)).ToList(), DateTimeOffset.UtcNow));
        }).Produces<OpsExperimentList>().ProducesProblem(404);
        g.MapGet("/experiments/{tenant}/{id}", async (string tenant, string id, IGrainFactory grains) =>
        {
            if (!Principals.IsTenantId(tenant) || !ExperimentEndpoints.IsExperimentId(id)) return Problems.NotFound("experiment");
            try { return Results.Ok(ExperimentViews.Of(await grains.GetGrain<IExperimentGrain>(ExperimentKeys.Of(tenant, id)).GetSnapshot())); }
            catch (KeyNotFoundException) { return Problems.NotFound("experiment"); }
        }).Produces<ExperimentView>().ProducesProblem(404);
        return app;
    }

    private static async Task<IResult> GpuAsync(IGrainFactory grains, IClusterMembershipService membership, ISiloMetadataCache metadata)
    {
        var queue = await grains.GetGrain<ISchedulerGrain>(SchedulerKeys.Gpu).GetQueue();
        var seen = queue.Workers.ToDictionary(w => w.WorkerId, StringComparer.Ordinal);
        var gpuSilos = ClusterView.Silos(membership, metadata).Where(s => s.GpuSlots is not null).ToList();
        var workers = await Task.WhenAll(gpuSilos.Select(async s =>
        {
            seen.TryGetValue(s.Name, out var q);
            if (s.Status != nameof(SiloStatus.Active))
                return new GpuWorkerView(s.Name, s.Status, s.GpuDevice, s.GpuSlots ?? 0, 0, 0, false, [], q?.LastSeen, q?.Leased ?? 0, null);
            try
            {
                var w = await grains.GetGrain<IGpuWorkerGrain>(s.Name).GetStatus().WaitAsync(AskTimeout);
                return new GpuWorkerView(s.Name, s.Status, s.GpuDevice, w.Slots, w.Busy, w.Completed, w.Pulling, w.Backends ?? [], q?.LastSeen, q?.Leased ?? 0, null);
            }
            catch (Exception e)
            {
                return new GpuWorkerView(s.Name, s.Status, s.GpuDevice, s.GpuSlots ?? 0, 0, 0, false, [], q?.LastSeen, q?.Leased ?? 0,
                    e is TimeoutException ? "the worker did not answer in 3 s" : e.Message);
            }
        }));
        return Results.Ok(new GpuPageView(workers, queue, DateTimeOffset.UtcNow));
    }

    private static async Task<IResult> StreamsAsync(ViraLoopOptions options, ILoggerFactory logs)
    {
        if (!options.IsCluster)
            return Results.Ok(new StreamsPageView("memory", [], "Embedded mode keeps its streams in memory: there are no broker queues to show.", DateTimeOffset.UtcNow));
        if (options.RabbitMqManagementUri is not { } api)
            return Results.Ok(new StreamsPageView("rabbitmq", [], "ViraLoop:RabbitMqManagement is not set.", DateTimeOffset.UtcNow));
        try
        {
            var queues = await ReadQueuesAsync(api, options.RabbitMqVirtualHost, options.StreamQueuePrefix);
            return Results.Ok(new StreamsPageView("rabbitmq", queues, null, DateTimeOffset.UtcNow));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
        {
            logs.CreateLogger("ViraLoop.Ops").LogWarning("RabbitMQ's management API at {Host} did not answer: {Error}", api.Authority, e.Message);
            return Results.Ok(new StreamsPageView("rabbitmq", [],
                $"RabbitMQ's management API at {api.Host}:{api.Port} did not answer ({(e is TaskCanceledException ? "timed out" : e.Message)}).", DateTimeOffset.UtcNow));
        }
    }

    /// <summary>The vhost's queues whose names start with the stream prefix (GET /api/queues/{vhost}).</summary>
    internal static async Task<IReadOnlyList<StreamQueueView>> ReadQueuesAsync(Uri api, string vhost, string prefix)
    {
        var baseUri = new UriBuilder(api) { UserName = "", Password = "" }.Uri;
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(baseUri, $"api/queues/{Uri.EscapeDataString(vhost)}"));
        if (api.UserInfo.Length > 0)
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.UnescapeDataString(api.UserInfo))));
        using var response = await Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStreamAsync());
        var list = new List<StreamQueueView>();
        foreach (var q in doc.RootElement.EnumerateArray())
        {
            var name = q.GetProperty("name").GetString() ?? "";
            if (!name.StartsWith(prefix, StringComparison.Ordinal)) continue;
            list.Add(new StreamQueueView(name, name.EndsWith(".dead", StringComparison.Ordinal), Long(q, "messages"), Long(q, "messages_ready"), Long(q, "messages_unacknowledged"), (int)Long(q, "consumers"),
                Rate(q, "publish_details"), Rate(q, "deliver_get_details")));
        }
        return list.OrderBy(q => q.Name, StringComparer.Ordinal).ToList();
    }

    private static long Long(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt64() : 0;

    private static double Rate(JsonElement q, string details) =>
        q.TryGetProperty("message_stats", out var s) && s.TryGetProperty(details, out var d) && d.TryGetProperty("rate", out var r) && r.ValueKind == JsonValueKind.Number
            ? Math.Round(r.GetDouble(), 2) : 0;
}
