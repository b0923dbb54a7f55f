using System.Net.Http.Json;
using ViraLoop.Contracts;

namespace ViraLoop.Client;

/// <summary>The optimisation loop over HTTP: experiments, their arms, and engagement in (<c>/v1/experiments</c>, <c>/v1/metrics</c>).</summary>
public sealed partial class ViraLoopHttpClient
{
    /// <summary>Creates an experiment (the same body again answers the same experiment; another body under its id is a 409).</summary>
    public Task<ExperimentView> CreateExperimentAsync(CreateExperimentBody experiment, CancellationToken ct = default) =>
        SendAsync<ExperimentView>(new HttpRequestMessage(HttpMethod.Post, "v1/experiments") { Content = JsonContent.Create(experiment, options: Json) }, ct);

    public Task<ExperimentView> GetExperimentAsync(string id, CancellationToken ct = default) =>
        SendAsync<ExperimentView>(new HttpRequestMessage(HttpMethod.Get, $"v1/experiments/{Uri.EscapeDataString(id)}"), ct);

    public Task<ExperimentList> ListExperimentsAsync(CancellationToken ct = default) =>
        SendAsync<ExperimentList>(new HttpRequestMessage(HttpMethod.Get, "v1/experiments"), ct);

    /// <summary>Reads the arms' totals now, retires the weak and breeds their replacements (the metrics endpoints do this too).</summary>
    public Task<ExperimentView> RefreshExperimentAsync(string id, CancellationToken ct = default) =>
        SendAsync<ExperimentView>(new HttpRequestMessage(HttpMethod.Post, $"v1/experiments/{Uri.EscapeDataString(id)}/refresh"), ct);

    /// <summary>The creative genes and their values.</summary>
    public Task<List<GeneView>> ListGenesAsync(CancellationToken ct = default) =>
        SendAsync<List<GeneView>>(new HttpRequestMessage(HttpMethod.Get, "v1/genes"), ct);

    /// <summary>Engagement events (at most 10,000 per call); idempotent by event id. <see cref="MetricsAccepted.Durable"/> false: buffered, safe to send again.</summary>
    public Task<MetricsAccepted> PostMetricsAsync(MetricsBatchBody batch, CancellationToken ct = default) =>
        SendAsync<MetricsAccepted>(new HttpRequestMessage(HttpMethod.Post, "v1/metrics") { Content = JsonContent.Create(batch, options: Json) }, ct);

    /// <summary>A platform's own report (youtube, tiktok, instagram), expanded by the silo into idempotent events.</summary>
    public Task<MetricsAccepted> PostPlatformReportAsync(string platform, PlatformReportBody report, CancellationToken ct = default) =>
        SendAsync<MetricsAccepted>(new HttpRequestMessage(HttpMethod.Post, $"v1/metrics/{Uri.EscapeDataString(platform)}") { Content = JsonContent.Create(report, options: Json) }, ct);
}
