using ViraLoop.Media.Pipeline;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using ViraLoop.Api.Auth;
using ViraLoop.Api.Videos;
using ViraLoop.Contracts;
using ViraLoop.Grains;
using ViraLoop.Grains.Messages;
using ViraLoop.Grains.Optimisation;
using ViraLoop.Hosting;

namespace ViraLoop.Api.Experiments;

/// <summary>
/// <c>/v1/experiments</c> (the optimisation loop's experiments and their arms), <c>/v1/genes</c> and <c>/v1/metrics</c>
/// (engagement in), for the caller's tenant only.
/// </summary>
public static partial class ExperimentEndpoints
{
    public const int MaxBatch = 10_000, MaxBatchBytes = 4 * 1024 * 1024;

    /// <summary>
    /// How long <c>POST /v1/metrics</c> waits for its batch to be durable before answering 202 (buffered) instead of 200: 5 s,
    /// or less where the cluster's grain-call timeout is short (the wait happens inside a grain call, so it must end first).
    /// </summary>
    public static TimeSpan DurableWait(ViraLoopOptions options) => TimeSpan.FromSeconds(Math.Min(5, options.ResponseTimeoutSeconds * 0.4));

    /// <summary>The control's genes when the body leaves them out: the pipeline's own defaults.</summary>
    public static readonly IReadOnlyDictionary<string, string> DefaultGenome = new Dictionary<string, string>
    {
        ["hook"] = "question", ["pacing"] = "medium", ["caption"] = "classic", ["visual"] = "gradient", ["palette"] = "sunset",
        ["mood"] = "upbeat", ["voice"] = "normal", ["thumbnail"] = "title-box", ["title"] = "question",
    };

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,63}$")]
    private static partial Regex IdPattern();

    /// <summary>Whether <paramref name="id"/> can be an experiment's id (1–64 of a–z, 0–9 and '-').</summary>
    public static bool IsExperimentId(string? id) => id is not null && IdPattern().IsMatch(id);

    public static IEndpointRouteBuilder MapExperimentEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/v1").RequireAuthorization(Principals.TenantPolicy).WithTags("experiments");
        g.MapGet("/genes", () => Results.Ok(GeneSchema.Default.Genes.Select(x => new GeneView(x.Name, x.Values, DefaultGenome[x.Name])).ToList()))
            .WithName("ListGenes").Produces<List<GeneView>>();
        g.MapPost("/experiments", CreateAsync).WithName("CreateExperiment").Accepts<CreateExperimentBody>("application/json")
            .Produces<ExperimentView>(StatusCodes.Status201Created).ProducesProblem(400).ProducesProblem(409);
        g.MapGet("/experiments", async (HttpContext http, IGrainFactory grains) =>
        {
            var entries = await grains.GetGrain<IExperimentDirectoryGrain>(ExperimentKeys.Directory).List(http.User.Tenant());
            return Results.Ok(new ExperimentList(entries.Select(e => new ExperimentSummary(e.ExperimentId, e.Name, e.CreatedAt,
                new Dictionary<string, string> { ["self"] = Base(e.ExperimentId) })).ToList()));
        }).WithName("ListExperiments").Produces<ExperimentList>();
        g.MapGet("/experiments/{id}", (string id, HttpContext http, IGrainFactory grains) =>
            WithExperiment(http, grains, id, async e => Results.Ok(ExperimentViews.Of(await e.GetSnapshot()))))
            .WithName("GetExperiment").Produces<ExperimentView>().ProducesProblem(404);
        g.MapPost("/experiments/{id}/refresh", (string id, HttpContext http, IGrainFactory grains) =>
            WithExperiment(http, grains, id, async e => Results.Ok(ExperimentViews.Of(await e.Refresh()))))
            .WithName("RefreshExperiment").Produces<ExperimentView>().ProducesProblem(404);
        g.MapPost("/metrics", MetricsAsync).WithName("PostMetrics").Accepts<MetricsBatchBody>("application/json")
            .Produces<MetricsAccepted>().Produces<MetricsAccepted>(StatusCodes.Status202Accepted).ProducesProblem(400);
        g.MapPost("/metrics/{platform}", PlatformMetricsAsync).WithName("PostPlatformReport").Accepts<PlatformReportBody>("application/json")
            .Produces<MetricsAccepted>().Produces<MetricsAccepted>(StatusCodes.Status202Accepted).ProducesProblem(400).ProducesProblem(404);
        return app;
    }

    public static string Base(string id) => $"/v1/experiments/{id}";

    private static async Task<IResult> CreateAsync(HttpContext http, IGrainFactory grains)
    {
        var (body, error, status) = await BodyReader.ReadAsync<CreateExperimentBody>(http.Request);
        if (body is null) return Problems.Body(status, error!);
        var errors = new List<string>();
        var name = VideoValidation.Text(body.Name, "name", 1, 100, errors, required: true, multiline: false);
        var id = body.Id ?? (name is null ? null : Slug(name));
        if (id is null || !IdPattern().IsMatch(id)) errors.Add("id: 1–64 of a–z, 0–9 and '-', starting with a letter or digit (give an id, or a name made of such words).");
        var control = new Dictionary<string, string>(DefaultGenome);
        foreach (var (gene, value) in body.Control ?? [])
        {
            var known = GeneSchema.Default.Genes.FirstOrDefault(x => x.Name == gene);
            if (known is null) errors.Add($"control: unknown gene '{gene}'; genes: {string.Join(", ", GeneSchema.Default.Genes.Select(x => x.Name))}.");
            else if (known.IndexOf(value ?? "") < 0) errors.Add($"control.{gene}: one of {string.Join(", ", known.Values)}.");
            else control[gene] = value!;
        }
        if (errors.Count > 0) return Problems.BadRequest(string.Join(" ", errors), new Dictionary<string, object?> { ["errors"] = errors });

        var spec = new ExperimentSpec(name!, body.Arms ?? 8, body.Objective ?? Objectives.Ctr, body.ControlShare ?? 0.1, body.MinExposures ?? 500,
            body.Seed ?? 1, GeneSchema.Default.Create(control).Id, body.RetireBelow ?? 0.02);
        try
        {
            var snapshot = await grains.GetGrain<IExperimentGrain>(ExperimentKeys.Of(http.User.Tenant(), id!)).Create(spec);
            return Results.Created(Base(id!), ExperimentViews.Of(snapshot));
        }
        catch (ArgumentException e) when (e.Message.Contains("already exists", StringComparison.Ordinal))
        {
            return Problems.Of(StatusCodes.Status409Conflict, "conflict", "The experiment exists.", e.Message);
        }
        catch (ArgumentException e)
        {
            return Problems.BadRequest(e.Message);
        }
    }

    private static string Slug(string name)
    {
        var chars = name.ToLowerInvariant().Select(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' ? c : '-').ToArray();
        var slug = Regex.Replace(new string(chars), "-+", "-").Trim('-');
        return slug.Length > 64 ? slug[..64].TrimEnd('-') : slug;
    }

    private static async Task<IResult> WithExperiment(HttpContext http, IGrainFactory grains, string id, Func<IExperimentGrain, Task<IResult>> action)
    {
        if (!IdPattern().IsMatch(id)) return Problems.NotFound("experiment");
        try
        {
            return await action(grains.GetGrain<IExperimentGrain>(ExperimentKeys.Of(http.User.Tenant(), id)));
        }
        catch (KeyNotFoundException)
        {
            return Problems.NotFound("experiment");
        }
    }

    /// <summary>
    /// The arm for a video submitted into an experiment, keyed by the request's idempotency key when it has one (so a
    /// retried request gets the same arm and the same order), else by the new video's id. Null: no such experiment.
    /// </summary>
    public static async Task<ArmAssignment?> AllocateAsync(IGrainFactory grains, string tenant, string experiment, string key, string videoId)
    {
        if (!IdPattern().IsMatch(experiment)) return null;
        try
        {
            return await grains.GetGrain<IExperimentGrain>(ExperimentKeys.Of(tenant, experiment)).Allocate(key, videoId);
        }
        catch (KeyNotFoundException)
        {
            return null;
        }
    }

    /// <summary>The order with all of the arm's genes applied, and the experiment and arm recorded.</summary>
    public static VideoOrder WithGenome(VideoOrder order, ArmAssignment arm)
    {
        var genome = Genome.Parse(GeneSchema.Default, arm.Genome);
        string Gene(string name) => genome[name];
        return order with
        {
            Hook = Gene(CreativeGenes.Hook),
            Pacing = Gene(CreativeGenes.Pacing),
            Captions = Gene(CreativeGenes.Caption),
            Style = Gene(CreativeGenes.Visual),
            Palette = Gene(CreativeGenes.Palette),
            Mood = Gene(CreativeGenes.Mood),
            Voice = Gene(CreativeGenes.Voice),
            Thumbnail = Gene(CreativeGenes.Thumbnail),
            TitleTemplate = Gene(CreativeGenes.Title),
            Experiment = arm.ExperimentId,
            Arm = arm.ArmId,
        };
    }

    private static async Task<IResult> MetricsAsync(HttpContext http, IGrainFactory grains, ViraLoopOptions options)
    {
        var tenant = http.User.Tenant();
        var (body, error, status) = await BodyReader.ReadAsync<MetricsBatchBody>(http.Request, maxBytes: MaxBatchBytes);
        if (body is null) return Problems.Body(status, error!);
        var (records, errors) = await MetricIngest.ToRecordsAsync(grains, tenant, body, DateTimeOffset.UtcNow);
        if (records is null) return Refused(errors);
        return await StoreAsync(http, grains, options, tenant, records, null);
    }

    private static async Task<IResult> PlatformMetricsAsync(string platform, HttpContext http, IGrainFactory grains, ViraLoopOptions options)
    {
        if (!ViraLoop.Analytics.Platforms.PlatformReports.Platforms.Contains(platform))
            return Problems.Of(404, "not-found", "Not found.", $"No platform '{BodyReader.Printable(platform, 32)}': reports come from {string.Join(", ", ViraLoop.Analytics.Platforms.PlatformReports.Platforms)}.");
        var tenant = http.User.Tenant();
        var (body, error, status) = await BodyReader.ReadAsync<PlatformReportBody>(http.Request, maxBytes: MaxBatchBytes);
        if (body is null) return Problems.Body(status, error!);
        var result = await PlatformIngest.ToRecordsAsync(grains, tenant, platform, body);
        if (result.Records is null) return Refused(result.Errors);
        return await StoreAsync(http, grains, options, tenant, result.Records, result.Unmapped);
    }

    private static IResult Refused(List<string> errors) =>
        Problems.BadRequest(string.Join(" ", errors.Take(20)), new Dictionary<string, object?> { ["errors"] = errors.Take(100).ToList() });

    /// <summary>
    /// Hands the records to the engagement grain in slices, then (when they are durable) moves the experiments they touch,
    /// so the next allocation already sees them. 202 when the store has not confirmed them in time: they are buffered and
    /// will be written; sending them again is safe.
    /// </summary>
    private static async Task<IResult> StoreAsync(HttpContext http, IGrainFactory grains, ViraLoopOptions options, string tenant, List<EngagementRecord> records,
        IReadOnlyList<string>? unmapped)
    {
        var engagement = grains.GetGrain<IEngagementGrain>(ExperimentKeys.Engagement);
        var durable = true;
        try
        {
            for (var i = 0; i < records.Count; i += MaxBatch)
            {
                var last = i + MaxBatch >= records.Count;
                // Only the last slice waits: the store commits in order, so its durability covers the slices before it.
                var confirmed = await engagement.Append(records.GetRange(i, Math.Min(MaxBatch, records.Count - i)), last ? DurableWait(options) : TimeSpan.Zero);
                if (last) durable = confirmed;
            }
        }
        catch (Exception e) when (e is ViraLoop.Analytics.EngagementBufferFullException or TimeoutException)
        {
            // The store's buffer is full (the analytics store has been down a long while) or the ingest grain is swamped.
            http.Response.Headers.RetryAfter = "10";
            return Problems.Of(StatusCodes.Status503ServiceUnavailable, "analytics-unavailable", "The analytics store cannot take more events now.",
                "Nothing is lost by sending this batch again later: event ids make it safe. Retry after 10 seconds.");
        }
        var experiments = records.Select(r => r.ExperimentId).Where(e => e.Length > 0).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (durable)
            await Task.WhenAll(experiments.Select(e => grains.GetGrain<IExperimentGrain>(ExperimentKeys.Of(tenant, e)).Refresh()));
        var result = new MetricsAccepted(records.Count, durable, experiments, unmapped);
        return durable ? Results.Ok(result) : Results.Json(result, statusCode: StatusCodes.Status202Accepted);
    }
}
