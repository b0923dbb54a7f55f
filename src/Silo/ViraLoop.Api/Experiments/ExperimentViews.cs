using ViraLoop.Contracts;
using ViraLoop.Grains.Messages;
using ViraLoop.Grains.Optimisation;

namespace ViraLoop.Api.Experiments;

public static class ExperimentViews
{
    /// <summary>Allocations shown with an experiment (the newest; the chart needs no more).</summary>
    public const int MaxAllocations = 2000;

    public static ExperimentView Of(ExperimentSnapshot s)
    {
        // The leader is an arm with evidence of its own: a child bred a moment ago may have a high chance of being best from
        // its genes' record alone, but nobody has seen it yet. None before any engagement.
        var leader = s.Arms.Where(a => a.RetiredAt is null && !a.IsControl && a.Exposures > 0)
            .OrderByDescending(a => a.ProbabilityBest).ThenByDescending(a => a.Mean).FirstOrDefault();
        return new ExperimentView(s.ExperimentId, s.Spec.Name, s.Spec.Objective, s.Generation, s.Spec.ControlShare, s.Spec.MinExposures, s.CreatedAt,
            s.RefreshedAt, s.TotalAllocations, leader?.ArmId, s.Arms.Select(Arm).ToList(),
            s.Allocations.TakeLast(MaxAllocations).Select(a => new AllocationView(a.VideoId, a.ArmId, a.Generation, a.At)).ToList(),
            new Dictionary<string, string> { ["self"] = ExperimentEndpoints.Base(s.ExperimentId), ["refresh"] = $"{ExperimentEndpoints.Base(s.ExperimentId)}/refresh" });
    }

    public static ArmView Arm(ArmSnapshot a)
    {
        var genome = Genome.Parse(GeneSchema.Default, a.Genome);
        var genes = GeneSchema.Default.Genes.ToDictionary(g => g.Name, g => genome[g.Name]);
        var t = a.Totals;
        return new ArmView(a.ArmId, genes, a.IsControl, a.Generation, a.RetiredAt, a.Videos, t.Impressions, t.Clicks, t.ViewsStarted, t.Completions,
            t.WatchSessions, t.WatchMilliseconds / 1000.0, a.Successes, a.Exposures, Posterior(a.PriorAlpha, a.PriorBeta), Posterior(a.Alpha, a.Beta),
            Math.Round(a.ProbabilityBest, 4), Math.Round(a.MeanWatchSeconds, 3));
    }

    /// <summary>A Beta posterior with its central 95 % interval, from 4,000 seeded draws (the same numbers on every read).</summary>
    public static PosteriorView Posterior(double alpha, double beta)
    {
        var p = new BetaPosterior(alpha, beta);
        var random = new Random((int)(BitConverter.DoubleToInt64Bits(alpha) * 31 ^ BitConverter.DoubleToInt64Bits(beta)));
        var draws = new double[4000];
        for (var i = 0; i < draws.Length; i++) draws[i] = p.Sample(random);
        Array.Sort(draws);
        return new PosteriorView(Math.Round(alpha, 4), Math.Round(beta, 4), Math.Round(p.Mean, 6), Math.Round(draws[99], 6), Math.Round(draws[3899], 6));
    }
}
