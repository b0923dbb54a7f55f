using System.Globalization;
using ViraLoop.Analytics;
using ViraLoop.Analytics.Simulation;
using ViraLoop.Client;
using ViraLoop.Contracts;

namespace ViraLoop.Cli;

/// <summary>What <see cref="LoopSimulation"/> runs: the experiment it makes (or reuses), and how many videos and viewers.</summary>
public sealed record SimulationOptions
{
    /// <summary>The experiment's id (made if it does not exist; an existing one with other settings is a 409).</summary>
    public string Experiment { get; init; } = "simulated";

    public int Arms { get; init; } = 8;

    public string Objective { get; init; } = "ctr";

    public double ControlShare { get; init; } = 0.1;

    /// <summary>An arm is judged (and may be retired) only after this many exposures.</summary>
    public long MinExposures { get; init; } = 1_500;

    public int Rounds { get; init; } = 8;

    public int VideosPerRound { get; init; } = 16;

    /// <summary>Viewers shown each video per round (the simulator's impressions).</summary>
    public int ImpressionsPerVideo { get; init; } = 400;

    /// <summary>Seeds the experiment, the hidden gene effects and the viewers: the same seed gives the same run.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>How many of the first videos are really made (the rest are allocated, then cancelled before rendering).</summary>
    public int Render { get; init; }

    public string Topic { get; init; } = "Why the ocean is salty";

    public double DurationSeconds { get; init; } = 5;

    public bool Preview { get; init; } = true;

    /// <summary>How the simulated platform delivers: late, out of order, with re-deliveries.</summary>
    public EventDelivery Delivery { get; init; } = new() { LateFraction = 0.1, OutOfOrder = true, DuplicateFraction = 0.05 };

    /// <summary>Events per <c>POST /v1/metrics</c>.</summary>
    public int BatchSize { get; init; } = 5_000;

    public void Validate()
    {
        if (Arms is < 2 or > 32) throw new ArgumentException("--arms: 2 to 32.");
        if (Rounds is < 1 or > 1_000) throw new ArgumentException("--rounds: 1 to 1,000.");
        if (VideosPerRound is < 1 or > 1_000) throw new ArgumentException("--videos: 1 to 1,000 per round.");
        if (ImpressionsPerVideo is < 1 or > 100_000) throw new ArgumentException("--impressions: 1 to 100,000 per video.");
        if (Render < 0 || Render > VideosPerRound) throw new ArgumentException("--render: 0 up to the videos of one round.");
        if (BatchSize is < 1 or > 10_000) throw new ArgumentException("batch size: 1 to 10,000.");
    }
}

/// <summary>
/// One round: the videos it allocated, where they went, how good they truly were, and what the experiment became. The
/// best known arm is the truly best of the live arms that had evidence when the round began (a child bred a moment ago
/// cannot be known to be good yet); its share is of the round's non-control videos.
/// </summary>
public sealed record SimulationRound(
    int Round,
    int Generation,
    int Videos,
    IReadOnlyDictionary<string, int> ArmVideos,
    double MeanTrueRate,
    string BestKnownArm,
    double BestKnownRate,
    double BestKnownShare,
    string BestLiveArm,
    double BestLiveRate,
    int EventsSent,
    bool Durable,
    string? Leader);

/// <summary>A video the simulation really made.</summary>
public sealed record SimulatedVideo(string Id, string Arm, IReadOnlyDictionary<string, string> Genome, string Status);

/// <summary>
/// The whole run: every round, the experiment at the end, the true rate (the hidden one the simulator knows) of the first
/// generation's arms against the arms bred later, and the events: sent (with re-deliveries) and distinct.
/// </summary>
public sealed record SimulationReport(
    string Experiment,
    IReadOnlyList<SimulationRound> Rounds,
    ExperimentView Final,
    IReadOnlyList<SimulatedVideo> Rendered,
    double FirstGenerationRate,
    double LaterGenerationsRate,
    long EventsSent,
    long DistinctEvents,
    IReadOnlyDictionary<string, string> BestPossibleGenome,
    double BestPossibleRate);

/// <summary>
/// Drives the optimisation loop offline through the public API, as a tenant would: it makes an experiment, submits videos
/// into it (the experiment chooses each one's genes), lets simulated viewers (<see cref="EngagementSimulator"/>, with
/// hidden per-gene effects) watch them, and posts what they did to <c>POST /v1/metrics</c>; the experiment retires weak
/// arms and breeds new ones as the evidence comes in. Videos beyond <see cref="SimulationOptions.Render"/> wait for
/// approval and are cancelled once allocated, so a long run costs no rendering.
/// </summary>
public sealed class LoopSimulation(ViraLoopHttpClient api, SimulationOptions options, string tenant = "simulated")
{
    private readonly EngagementSimulator _viewers = new(options.Seed);
    private readonly Random _random = new(options.Seed);
    private readonly HashSet<string> _distinct = new(StringComparer.Ordinal);
    private long _sent;

    /// <summary>Runs every round; <paramref name="afterRound"/> sees each (a progress line, or a test's hook between rounds).</summary>
    public async Task<SimulationReport> RunAsync(Func<SimulationRound, Task>? afterRound = null, CancellationToken ct = default)
    {
        options.Validate();
        var experiment = await api.CreateExperimentAsync(new CreateExperimentBody
        {
            Id = options.Experiment,
            Name = options.Experiment,
            Arms = options.Arms,
            Objective = options.Objective,
            ControlShare = options.ControlShare,
            MinExposures = options.MinExposures,
            Seed = options.Seed,
        }, ct);

        var rounds = new List<SimulationRound>();
        var rendered = new List<SimulatedVideo>();
        var start = DateTimeOffset.UtcNow.AddHours(-12);
        for (var round = 1; round <= options.Rounds; round++)
        {
            var before = experiment.Arms.Where(a => a.RetiredAt is null && !a.Control).ToList();
            var known = before.Where(a => a.Exposures > 0).DefaultIfEmpty(before[0]).MaxBy(a => Rate(a.Genome))!;
            var videos = new List<(string Id, string Arm)>();
            for (var i = 0; i < options.VideosPerRound; i++)
            {
                var render = round == 1 && i < options.Render;
                var view = await api.SubmitAsync(new CreateVideoBody
                {
                    Topic = $"{options.Topic} ({round}.{i + 1})",
                    Experiment = experiment.Id,
                    DurationSeconds = options.DurationSeconds,
                    Preview = options.Preview,
                    Seed = options.Seed * 1_000 + round * 100 + i,
                    RequireApproval = !render,
                }, idempotencyKey: $"sim-{experiment.Id}-{options.Seed}-{round}-{i}", ct);
                var arm = view.Experiment?.Arm ?? throw new InvalidOperationException($"video {view.Id} came back without an arm");
                videos.Add((view.Id, arm));
                if (!render && view.Status is not ("cancelled" or "completed" or "failed")) await api.CancelAsync(view.Id, "allocated by the simulation; not rendered", ct);
            }

            experiment = await api.GetExperimentAsync(experiment.Id, ct);
            var arms = experiment.Arms.ToDictionary(a => a.Id, StringComparer.Ordinal);
            if (round == 1)
            {
                foreach (var (id, arm) in videos.Take(options.Render))
                {
                    await foreach (var _ in api.WatchAsync(id, ct: ct)) { }
                    var done = await api.GetAsync(id, ct);
                    rendered.Add(new SimulatedVideo(id, arm, arms[arm].Genome, done.Status));
                }
            }

            var events = new List<MetricEventBody>();
            foreach (var (id, arm) in videos)
            {
                var at = start.AddHours(round);
                foreach (var e in _viewers.Events(tenant, id, experiment.Id, arm, arms[arm].Genome, options.ImpressionsPerVideo, at, _random, options.Delivery))
                {
                    events.Add(new MetricEventBody
                    {
                        Id = e.EventId, VideoId = id, Kind = e.Kind.Name(), Value = e.Kind == EngagementKind.WatchTime ? e.Value : null,
                        At = e.Timestamp, Platform = "simulator",
                    });
                    _distinct.Add(e.EventId);
                }
            }

            var durable = true;
            for (var i = 0; i < events.Count; i += options.BatchSize)
            {
                var accepted = await api.PostMetricsAsync(new MetricsBatchBody { Events = events.GetRange(i, Math.Min(options.BatchSize, events.Count - i)) }, ct);
                durable &= accepted.Durable;
            }
            _sent += events.Count;

            experiment = await api.GetExperimentAsync(experiment.Id, ct);
            var live = experiment.Arms.Where(a => a.RetiredAt is null && !a.Control).ToList();
            var best = live.MaxBy(a => Rate(a.Genome))!;
            var byArm = videos.GroupBy(v => v.Arm, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
            var nonControl = videos.Where(v => !arms[v.Arm].Control).ToList();
            var report = new SimulationRound(round, experiment.Generation, videos.Count, byArm,
                videos.Average(v => Rate(arms[v.Arm].Genome)), known.Id, Rate(known.Genome),
                nonControl.Count == 0 ? 0 : nonControl.Count(v => v.Arm == known.Id) / (double)nonControl.Count,
                best.Id, Rate(best.Genome), events.Count, durable, experiment.Leader);
            rounds.Add(report);
            if (afterRound is not null) await afterRound(report);
        }

        experiment = await api.GetExperimentAsync(experiment.Id, ct);
        var candidates = experiment.Arms.Where(a => !a.Control).ToList();
        var first = candidates.Where(a => a.Generation == 0).Select(a => Rate(a.Genome)).DefaultIfEmpty(double.NaN).Average();
        var later = candidates.Where(a => a.Generation > 0).Select(a => Rate(a.Genome)).DefaultIfEmpty(double.NaN).Average();
        var bestGenome = BestPossible();
        return new SimulationReport(experiment.Id, rounds, experiment, rendered, first, later, _sent, _distinct.Count, bestGenome, Rate(bestGenome));
    }

    /// <summary>The hidden true rate of a genome under the experiment's objective.</summary>
    public double Rate(IReadOnlyDictionary<string, string> genome)
    {
        var rates = _viewers.TrueRates(genome);
        return options.Objective == "completion" ? rates.CompletionRate : rates.ClickRate;
    }

    /// <summary>The best genome there is (the simulator's effects are additive, so each gene's best value).</summary>
    private IReadOnlyDictionary<string, string> BestPossible()
    {
        var best = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (gene, values) in ViraLoop.Media.Pipeline.CreativeGenes.Genes)
            best[gene] = values.MaxBy(v => options.Objective == "completion" ? _viewers.Effects(gene, v).Completion : _viewers.Effects(gene, v).Click)!;
        return best;
    }

    /// <summary>One line per round for a terminal.</summary>
    public static string Describe(SimulationRound r) => string.Create(CultureInfo.InvariantCulture,
        $"round {r.Round,3}: generation {r.Generation,2}, {r.Videos} videos, true rate {r.MeanTrueRate:P2} (best known arm {r.BestKnownArm} {r.BestKnownRate:P2} "
        + $"took {r.BestKnownShare:P0} of the non-control videos; best live {r.BestLiveRate:P2}), {r.EventsSent:N0} events{(r.Durable ? "" : " (buffered)")}, leader {r.Leader ?? "-"}");
}
