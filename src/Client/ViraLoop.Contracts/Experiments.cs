namespace ViraLoop.Contracts;

/// <summary>
/// The body of <c>POST /v1/experiments</c>: an experiment of the optimisation loop. Every field but the name has a default:
/// 8 candidate arms, objective <c>ctr</c>, 10 % of videos held out for the control, 500 exposures before an arm is judged.
/// </summary>
public sealed record CreateExperimentBody
{
    /// <summary>Also the experiment's id when <see cref="Id"/> is left out (lower case, digits and dashes).</summary>
    public string? Name { get; init; }

    /// <summary>The experiment's id: 1–64 of a–z, 0–9 and '-'. Default: from the name.</summary>
    public string? Id { get; init; }

    /// <summary>Candidate arms run at once besides the control: 2–32.</summary>
    public int? Arms { get; init; }

    /// <summary><c>ctr</c> (clicks per impression) or <c>completion</c> (completed views per view started).</summary>
    public string? Objective { get; init; }

    /// <summary>The share of new videos held out for the control arm: 0–0.5.</summary>
    public double? ControlShare { get; init; }

    /// <summary>Exposures (impressions for ctr, views for completion) an arm has before it may be retired.</summary>
    public long? MinExposures { get; init; }

    /// <summary>An arm past its minimum is retired when its chance of being the best is below this (default 0.02).</summary>
    public double? RetireBelow { get; init; }

    /// <summary>Seeds the first generation and the breeding.</summary>
    public int? Seed { get; init; }

    /// <summary>The control's genes (any subset; the rest take the defaults: GET /v1/genes).</summary>
    public Dictionary<string, string>? Control { get; init; }
}

/// <summary>An experiment as the API shows it: its arms (the control first, then in order of birth) and its recent allocations.</summary>
public sealed record ExperimentView(
    string Id,
    string Name,
    string Objective,
    int Generation,
    double ControlShare,
    long MinExposures,
    DateTimeOffset CreatedAt,
    DateTimeOffset? RefreshedAt,
    int Videos,
    string? Leader,
    IReadOnlyList<ArmView> Arms,
    IReadOnlyList<AllocationView> Allocations,
    IReadOnlyDictionary<string, string> Links);

/// <summary>
/// One arm: its genes, the generation it was born in (and retired in), what it got, and its posteriors over the
/// objective's rate (prior: from the shared per-gene evidence when it was born) with a 95 % credible interval, its
/// chance of being the best live arm, and the expected watch seconds.
/// </summary>
public sealed record ArmView(
    string Id,
    IReadOnlyDictionary<string, string> Genome,
    bool Control,
    int Generation,
    int? RetiredAt,
    int Videos,
    long Impressions,
    long Clicks,
    long ViewsStarted,
    long Completions,
    long WatchSessions,
    double WatchSeconds,
    long Successes,
    long Exposures,
    PosteriorView Prior,
    PosteriorView Posterior,
    double ProbabilityBest,
    double MeanWatchSeconds);

public sealed record PosteriorView(double Alpha, double Beta, double Mean, double Low, double High);

public sealed record AllocationView(string VideoId, string ArmId, int Generation, DateTimeOffset At);

public sealed record ExperimentSummary(string Id, string Name, DateTimeOffset CreatedAt, IReadOnlyDictionary<string, string> Links);

public sealed record ExperimentList(IReadOnlyList<ExperimentSummary> Items);

/// <summary>The creative genes and the values each may take (<c>GET /v1/genes</c>), with the default of each.</summary>
public sealed record GeneView(string Name, IReadOnlyList<string> Values, string Default);

/// <summary>The body of <c>POST /v1/metrics</c>: up to 10,000 engagement events.</summary>
public sealed record MetricsBatchBody
{
    public List<MetricEventBody>? Events { get; init; }
}

/// <summary>
/// One engagement event. <see cref="Id"/> is the idempotency key (within the tenant): sending it again is ignored.
/// Events may be late and out of order; <see cref="At"/> is when it happened.
/// </summary>
public sealed record MetricEventBody
{
    /// <summary>1–128 printable ASCII characters, unique per event.</summary>
    public string? Id { get; init; }

    /// <summary>The video (one of the tenant's).</summary>
    public string? VideoId { get; init; }

    /// <summary>impression, click, view-started, completed, watch-time, like or share.</summary>
    public string? Kind { get; init; }

    /// <summary>watch-time only: the seconds watched in one viewing session (0–86,400).</summary>
    public double? Value { get; init; }

    /// <summary>When it happened (default: now). Not more than a day ahead.</summary>
    public DateTimeOffset? At { get; init; }

    /// <summary>Where (youtube, tiktok, instagram, simulator…): 1–32 of a–z, 0–9, '-'. Default: api.</summary>
    public string? Platform { get; init; }
}

/// <summary>
/// What <c>POST /v1/metrics</c> did: the events it took, whether they are durable (false: buffered while the analytics
/// store is slow or down, written when it answers; sending them again is safe), the experiments they updated, and (for a
/// platform report) the platform video ids the report had that the request did not map, which were skipped.
/// </summary>
public sealed record MetricsAccepted(int Accepted, bool Durable, IReadOnlyList<string> Experiments, IReadOnlyList<string>? Unmapped = null);
