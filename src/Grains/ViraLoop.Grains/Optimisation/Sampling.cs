namespace ViraLoop.Grains.Optimisation;

/// <summary>
/// Random variates for the posteriors, all from a caller's seeded <see cref="Random"/> so that runs are reproducible.
/// Gamma by Marsaglia and Tsang (2000), "A simple method for generating gamma variables": for shape a ≥ 1, d = a − 1/3,
/// c = 1/√(9d); draw x ~ N(0,1), v = (1 + cx)³ (rejecting v ≤ 0), u ~ U(0,1); accept d·v when u &lt; 1 − 0.0331x⁴ (squeeze) or
/// ln u &lt; x²/2 + d(1 − v + ln v). For a &lt; 1, Gamma(a) = Gamma(a + 1) · U^(1/a).
/// </summary>
public static class Sampling
{
    /// <summary>A uniform draw in (0, 1]: never 0, so logs and powers are finite.</summary>
    public static double UniformOpenZero(Random random) => 1.0 - random.NextDouble();

    /// <summary>A standard normal draw (Box–Muller, one of the pair).</summary>
    public static double StandardNormal(Random random)
    {
        var u1 = UniformOpenZero(random);
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>A Gamma(shape, scale) draw: mean shape·scale, variance shape·scale².</summary>
    public static double Gamma(Random random, double shape, double scale = 1.0)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (!(shape > 0) || double.IsInfinity(shape))
        {
            throw new ArgumentOutOfRangeException(nameof(shape), shape, "shape must be positive and finite");
        }

        if (!(scale > 0) || double.IsInfinity(scale))
        {
            throw new ArgumentOutOfRangeException(nameof(scale), scale, "scale must be positive and finite");
        }

        if (shape < 1.0)
        {
            // Boost: Gamma(a) = Gamma(a + 1) · U^(1/a).
            return Gamma(random, shape + 1.0, scale) * Math.Pow(UniformOpenZero(random), 1.0 / shape);
        }

        var d = shape - 1.0 / 3.0;
        var c = 1.0 / Math.Sqrt(9.0 * d);
        while (true)
        {
            double x, v;
            do
            {
                x = StandardNormal(random);
                v = 1.0 + c * x;
            }
            while (v <= 0.0);

            v = v * v * v;
            var u = UniformOpenZero(random);
            var x2 = x * x;
            if (u < 1.0 - 0.0331 * x2 * x2)
            {
                return d * v * scale;
            }

            if (Math.Log(u) < 0.5 * x2 + d * (1.0 - v + Math.Log(v)))
            {
                return d * v * scale;
            }
        }
    }

    /// <summary>A Beta(alpha, beta) draw as X/(X+Y), X ~ Gamma(alpha), Y ~ Gamma(beta).</summary>
    public static double Beta(Random random, double alpha, double beta)
    {
        var x = Gamma(random, alpha);
        var y = Gamma(random, beta);
        var sum = x + y;
        if (sum > 0)
        {
            return x / sum;
        }

        // Both underflowed (only for tiny shapes): fall back on which of the two the mean favours.
        return random.NextDouble() < alpha / (alpha + beta) ? 1.0 : 0.0;
    }

    /// <summary>The logistic function.</summary>
    public static double Sigmoid(double x) => 1.0 / (1.0 + Math.Exp(-x));

    /// <summary>log(p/(1−p)), with p clamped to [1e-9, 1 − 1e-9].</summary>
    public static double Logit(double p)
    {
        p = Math.Clamp(p, 1e-9, 1 - 1e-9);
        return Math.Log(p / (1 - p));
    }
}
