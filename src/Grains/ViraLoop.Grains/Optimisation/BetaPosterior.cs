namespace ViraLoop.Grains.Optimisation;

/// <summary>
/// A Beta(α, β) posterior over a rate (e.g. the chance a shown video is watched through, or clicked). Immutable:
/// <see cref="Update"/> returns the posterior after more successes and failures. Beta(1, 1) is the uniform prior.
/// </summary>
public readonly record struct BetaPosterior
{
    public static readonly BetaPosterior Uniform = new(1, 1);

    public BetaPosterior(double alpha, double beta)
    {
        if (!(alpha > 0) || double.IsInfinity(alpha))
        {
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "alpha must be positive and finite");
        }

        if (!(beta > 0) || double.IsInfinity(beta))
        {
            throw new ArgumentOutOfRangeException(nameof(beta), beta, "beta must be positive and finite");
        }

        Alpha = alpha;
        Beta = beta;
    }

    public double Alpha { get; }

    public double Beta { get; }

    public double Mean => Alpha / (Alpha + Beta);

    public double Variance
    {
        get
        {
            var n = Alpha + Beta;
            return Alpha * Beta / (n * n * (n + 1));
        }
    }

    /// <summary>α + β: how much evidence (pseudo-counts included) the posterior holds.</summary>
    public double Weight => Alpha + Beta;

    public BetaPosterior Update(long successes, long failures)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(successes);
        ArgumentOutOfRangeException.ThrowIfNegative(failures);
        return new BetaPosterior(Alpha + successes, Beta + failures);
    }

    public double Sample(Random random) => Sampling.Beta(random, Alpha, Beta);

    /// <summary>A Beta with the given mean and weight (α + β).</summary>
    public static BetaPosterior FromMean(double mean, double weight)
    {
        if (!(mean > 0 && mean < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(mean), mean, "mean must be in (0, 1)");
        }

        return new BetaPosterior(mean * weight, (1 - mean) * weight);
    }

    /// <summary>
    /// Monte Carlo estimate of each posterior's probability of holding the largest rate: the share of
    /// <paramref name="draws"/> joint draws in which it drew the largest value.
    /// </summary>
    public static double[] ProbabilityBest(IReadOnlyList<BetaPosterior> posteriors, Random random, int draws = 4000)
    {
        ArgumentNullException.ThrowIfNull(posteriors);
        ArgumentOutOfRangeException.ThrowIfLessThan(draws, 1);
        var wins = new double[posteriors.Count];
        if (posteriors.Count == 0)
        {
            return wins;
        }

        for (var d = 0; d < draws; d++)
        {
            var best = 0;
            var bestValue = double.NegativeInfinity;
            for (var i = 0; i < posteriors.Count; i++)
            {
                var v = posteriors[i].Sample(random);
                if (v > bestValue)
                {
                    bestValue = v;
                    best = i;
                }
            }

            wins[best]++;
        }

        for (var i = 0; i < wins.Length; i++)
        {
            wins[i] /= draws;
        }

        return wins;
    }
}
