namespace ViraLoop.Grains.Optimisation;

/// <summary>
/// A posterior over an arm's watch time. Model: log watch seconds are Normal(μ, 1/τ) with (μ, τ) unknown, under the
/// conjugate Normal-Gamma prior NG(μ₀, κ₀, a, b): τ ~ Gamma(a, rate b), μ | τ ~ N(μ₀, 1/(κ₀τ)). Watch times are positive
/// and right-skewed, so a log-normal fits them far better than a normal on seconds, and the conjugate update is exact:
/// one observation x = ln(seconds) gives κ' = κ + 1, μ' = (κμ + x)/(κ + 1), a' = a + ½, b' = b + κ(x − μ)²/(2(κ + 1)).
/// The quantity an arm is judged by is the expected watch time E[seconds] = exp(μ + 1/(2τ)); <see cref="Sample"/> draws
/// (μ, τ) from the posterior and returns that, so it can drive Thompson sampling on watch time.
/// The default prior centres on 8 s (μ₀ = ln 8) with the weight of one observation (κ₀ = 1) and a vague spread
/// (a = 2, b = 1: E[1/τ] = 1, a log-sd near 1).
/// </summary>
public readonly record struct WatchTimePosterior(double Mu, double Kappa, double A, double B)
{
    public static readonly WatchTimePosterior Default = new(Math.Log(8), 1, 2, 1);

    /// <summary>How many observations have been added to the prior.</summary>
    public long Count { get; init; }

    /// <summary>The posterior after one more watch of <paramref name="seconds"/> (clamped below at 0.1 s).</summary>
    public WatchTimePosterior Update(double seconds)
    {
        if (double.IsNaN(seconds) || seconds < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(seconds), seconds, "watch time must be a non-negative number");
        }

        var x = Math.Log(Math.Max(seconds, 0.1));
        var kappa = Kappa + 1;
        return new WatchTimePosterior(
            (Kappa * Mu + x) / kappa,
            kappa,
            A + 0.5,
            B + Kappa * (x - Mu) * (x - Mu) / (2 * kappa))
        {
            Count = Count + 1,
        };
    }

    public WatchTimePosterior Update(IEnumerable<double> seconds) => seconds.Aggregate(this, (p, s) => p.Update(s));

    /// <summary>The posterior mean of μ: exp of it is the posterior's typical (median) watch time.</summary>
    public double MedianSeconds => Math.Exp(Mu);

    /// <summary>E[1/τ] = b/(a − 1) for a &gt; 1: the expected variance of log watch time.</summary>
    public double ExpectedLogVariance => A > 1 ? B / (A - 1) : double.PositiveInfinity;

    /// <summary>A plug-in estimate of expected watch seconds, exp(μ + E[1/τ]/2).</summary>
    public double MeanSeconds => Math.Exp(Mu + 0.5 * ExpectedLogVariance);

    /// <summary>Draws (μ, τ) and returns exp(μ + 1/(2τ)), the expected watch seconds under that draw.</summary>
    public double Sample(Random random)
    {
        var (mu, tau) = SampleParameters(random);
        return Math.Exp(mu + 0.5 / tau);
    }

    /// <summary>Draws (μ, τ): τ ~ Gamma(a, rate b), μ ~ N(μₙ, 1/(κτ)).</summary>
    public (double Mu, double Tau) SampleParameters(Random random)
    {
        var tau = Sampling.Gamma(random, A, 1.0 / B);
        var mu = Mu + Sampling.StandardNormal(random) / Math.Sqrt(Kappa * tau);
        return (mu, tau);
    }
}
