using ViraLoop.Analytics.Simulation;
using Xunit;
using Xunit.Abstractions;

namespace ViraLoop.Analytics.Tests.Simulation;

public sealed class EngagementSimulatorTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 12, 0, 0, TimeSpan.Zero);

    // The shape of the Grains' GeneSchema.Default (a subset), without depending on that project.
    private static readonly (string Gene, string[] Values)[] Genes =
    [
        ("hook", ["question", "bold-claim", "number", "story", "contrarian"]),
        ("pacing", ["fast", "medium", "slow"]),
        ("caption", ["classic", "boxed", "karaoke"]),
        ("palette", ["sunset", "ocean", "neon", "forest", "mono"]),
    ];

    private static Dictionary<string, string> Genome(params int[] picks) =>
        Genes.Select((g, i) => (g.Gene, Value: g.Values[picks[i]])).ToDictionary(p => p.Gene, p => p.Value, StringComparer.Ordinal);

    private static IReadOnlyList<EngagementEvent> Run(EngagementSimulator simulator, IReadOnlyDictionary<string, string> genome, int impressions,
        int seed, EventDelivery? delivery = null) =>
        simulator.Events("acme", "vid-1", "exp-1", "arm-a", genome, impressions, Start, new Random(seed), delivery);

    [Fact]
    public void Observed_rates_are_within_binomial_tolerance_of_the_true_rates()
    {
        var simulator = new EngagementSimulator(11, new SimulatorOptions { EffectSigma = 0.3 });
        var genome = Genome(1, 0, 2, 3);
        var rates = simulator.TrueRates(genome);
        const int n = 200_000;

        var events = Run(simulator, genome, n, seed: 5);

        var impressions = events.Count(e => e.Kind == EngagementKind.Impression);
        var clicks = events.Count(e => e.Kind == EngagementKind.Click);
        var views = events.Count(e => e.Kind == EngagementKind.ViewStarted);
        var completed = events.Count(e => e.Kind == EngagementKind.Completed);
        var sessions = events.Where(e => e.Kind == EngagementKind.WatchTime).Select(e => e.Value).ToList();
        output.WriteLine($"true ctr {rates.ClickRate:F5} observed {(double)clicks / n:F5}; true completion {rates.CompletionRate:F4} " +
            $"observed {(double)completed / views:F4}; true mean watch {rates.MeanWatchSeconds:F3} s observed {sessions.Average():F3} s over {views} views");
        Assert.Equal(n, impressions);
        Assert.Equal(clicks, views);
        Assert.Equal(views, sessions.Count);

        // 4.5 standard errors: a correct simulator fails this about once in 150,000 runs.
        Assert.InRange((double)clicks / n, rates.ClickRate - Tolerance(rates.ClickRate, n), rates.ClickRate + Tolerance(rates.ClickRate, n));
        Assert.InRange((double)completed / views, rates.CompletionRate - Tolerance(rates.CompletionRate, views),
            rates.CompletionRate + Tolerance(rates.CompletionRate, views));
        var spread = simulator.Options.WatchSpread;
        var meanError = 4.5 * rates.MeanWatchSeconds * Math.Sqrt(Math.Exp(spread * spread) - 1) / Math.Sqrt(views);
        Assert.InRange(sessions.Average(), rates.MeanWatchSeconds - meanError, rates.MeanWatchSeconds + meanError);

        // The effects are there: this genome is not at the base rates, and another genome has other rates.
        Assert.NotEqual(0.05, rates.ClickRate, 3);
        Assert.NotEqual(rates, simulator.TrueRates(Genome(0, 1, 0, 0)));
    }

    private static double Tolerance(double p, int n) => 4.5 * Math.Sqrt(p * (1 - p) / n);

    [Fact]
    public void Without_effects_every_genome_has_the_base_rates()
    {
        var simulator = new EngagementSimulator(3, new SimulatorOptions { EffectSigma = 0, BaseMeanWatchSeconds = 9 });

        var rates = simulator.TrueRates(Genome(4, 2, 1, 0));

        Assert.Equal(0.05, rates.ClickRate, 12);
        Assert.Equal(0.30, rates.CompletionRate, 12);
        Assert.Equal(9, rates.MeanWatchSeconds, 12);
    }

    [Fact]
    public void Effects_depend_on_seed_gene_and_value_not_on_asking_order()
    {
        var a = new EngagementSimulator(21, new SimulatorOptions { EffectSigma = 1 });
        var b = new EngagementSimulator(21, new SimulatorOptions { EffectSigma = 1 });
        var first = a.TrueRates(Genome(0, 0, 0, 0));
        b.TrueRates(Genome(3, 2, 1, 4));

        Assert.Equal(first, b.TrueRates(Genome(0, 0, 0, 0)));
        Assert.NotEqual(first, new EngagementSimulator(22, new SimulatorOptions { EffectSigma = 1 }).TrueRates(Genome(0, 0, 0, 0)));
        var effects = Genes.SelectMany(g => g.Values.Select(v => a.Effects(g.Gene, v).Click)).ToList();
        Assert.Equal(effects.Count, effects.Distinct().Count());
    }

    [Fact]
    public void The_best_genome_by_true_rate_is_the_one_observed_best()
    {
        var simulator = new EngagementSimulator(7, new SimulatorOptions { EffectSigma = 0.6 });
        var random = new Random(99);
        var candidates = Enumerable.Range(0, 6)
            .Select(_ => (IReadOnlyDictionary<string, string>)Genome(Genes.Select(g => random.Next(g.Values.Length)).ToArray()))
            .ToList();

        var best = simulator.BestGenome(candidates);

        var byRate = candidates.Select(c => simulator.TrueRates(c).ClickRate).ToList();
        Assert.Equal(byRate.Max(), simulator.TrueRates(best).ClickRate);
        var observed = candidates
            .Select((c, i) => (Genome: c, Ctr: Run(simulator, c, 100_000, seed: i).Count(e => e.Kind == EngagementKind.Click) / 100_000.0))
            .MaxBy(x => x.Ctr).Genome;
        Assert.Same(best, observed);

        var byWatch = simulator.BestGenome(candidates, r => r.WatchSecondsPerImpression);
        Assert.Equal(candidates.Max(c => simulator.TrueRates(c).WatchSecondsPerImpression), simulator.TrueRates(byWatch).WatchSecondsPerImpression);
    }

    [Fact]
    public void The_same_seed_gives_the_same_events_and_another_seed_other_ones()
    {
        var simulator = new EngagementSimulator(5);
        var delivery = new EventDelivery { LateFraction = 0.1, OutOfOrder = true, DuplicateFraction = 0.05 };

        var first = Run(simulator, Genome(0, 1, 2, 3), 5_000, seed: 1, delivery);
        var again = Run(new EngagementSimulator(5), Genome(0, 1, 2, 3), 5_000, seed: 1, delivery);
        var other = Run(simulator, Genome(0, 1, 2, 3), 5_000, seed: 2, delivery);

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
        Assert.Empty(first.Select(e => e.EventId).Intersect(other.Select(e => e.EventId)));
    }

    [Fact]
    public void Duplicates_are_redeliveries_with_the_same_ids()
    {
        var simulator = new EngagementSimulator(5);
        var plain = Run(simulator, Genome(2, 2, 2, 2), 20_000, seed: 3);
        var redelivered = Run(simulator, Genome(2, 2, 2, 2), 20_000, seed: 3, new EventDelivery { DuplicateFraction = 0.1 });

        Assert.Equal(plain.Count, plain.Select(e => e.EventId).Distinct().Count());
        var extra = redelivered.Count - plain.Count;
        Assert.InRange(extra, (int)(plain.Count * 0.08), (int)(plain.Count * 0.12));
        Assert.Equal(plain, redelivered.Distinct().ToList()); // each duplicate is an equal record, its original first
        Assert.Equal(plain.Count, redelivered.Select(e => e.EventId).Distinct().Count());
        EngagementEvent.ValidateBatch(redelivered);
    }

    [Fact]
    public void Late_events_happened_hours_back_and_out_of_order_delivery_is_not_chronological()
    {
        var simulator = new EngagementSimulator(5);
        var window = TimeSpan.FromMinutes(30);

        var inOrder = Run(simulator, Genome(1, 1, 1, 1), 10_000, seed: 4, new EventDelivery { Window = window, LateFraction = 0.2 });
        var shuffled = Run(simulator, Genome(1, 1, 1, 1), 10_000, seed: 4, new EventDelivery { Window = window, LateFraction = 0.2, OutOfOrder = true });

        var impressions = inOrder.Where(e => e.Kind == EngagementKind.Impression).ToList();
        var late = impressions.Count(e => e.Timestamp <= Start - TimeSpan.FromHours(1));
        Assert.InRange(late, 1_800, 2_200);
        Assert.All(impressions, e => Assert.True(e.Timestamp >= Start - TimeSpan.FromHours(6) && e.Timestamp < Start + window));
        Assert.DoesNotContain(impressions, e => e.Timestamp < Start && e.Timestamp > Start - TimeSpan.FromHours(1));
        // Late ones are delivered after every on-time one.
        var firstLate = inOrder.ToList().FindIndex(e => e.Timestamp < Start);
        Assert.All(inOrder.Skip(firstLate), e => Assert.True(e.Timestamp < Start));

        Assert.Equal(inOrder.OrderBy(e => e.EventId, StringComparer.Ordinal), shuffled.OrderBy(e => e.EventId, StringComparer.Ordinal));
        Assert.NotEqual(inOrder, shuffled);
        Assert.Contains(shuffled.Zip(shuffled.Skip(1)), pair => pair.First.Timestamp > pair.Second.Timestamp + TimeSpan.FromHours(1));
    }
}
