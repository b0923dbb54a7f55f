using ViraLoop.Grains.Optimisation;
using Xunit;

namespace ViraLoop.Grains.Tests.Optimisation;

public sealed class PosteriorTests
{
    private const int Draws = 20_000;

    private static (double Mean, double Variance) Moments(Func<double> draw)
    {
        var xs = new double[Draws];
        for (var i = 0; i < Draws; i++)
        {
            xs[i] = draw();
        }

        var mean = xs.Average();
        return (mean, xs.Sum(x => (x - mean) * (x - mean)) / (Draws - 1));
    }

    [Theory]
    [InlineData(0.2)]
    [InlineData(0.5)]
    [InlineData(1.0)]
    [InlineData(2.5)]
    [InlineData(30.0)]
    public void Gamma_SampleMomentsMatchShape(double shape)
    {
        var random = new Random(42);
        var (mean, variance) = Moments(() => Sampling.Gamma(random, shape));
        // Gamma(a, 1): mean a, variance a; sd of the sample mean √(a/n), of the sample variance ≈ a·√((2 + 6/a)/n).
        Assert.InRange(mean, shape - 5 * Math.Sqrt(shape / Draws), shape + 5 * Math.Sqrt(shape / Draws));
        var sdVar = shape * Math.Sqrt((2 + 6 / shape) / Draws);
        Assert.InRange(variance, shape - 5 * sdVar, shape + 5 * sdVar);
    }

    [Fact]
    public void Gamma_Scale_ScalesTheMean_AndDrawsArePositive()
    {
        var random = new Random(1);
        var (mean, _) = Moments(() => Sampling.Gamma(random, 3, 2));
        Assert.InRange(mean, 5.85, 6.15);
        Assert.All(Enumerable.Range(0, 1000).Select(_ => Sampling.Gamma(random, 0.1)), x => Assert.True(x >= 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Sampling.Gamma(random, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Sampling.Gamma(random, double.NaN));
    }

    [Fact]
    public void StandardNormal_HasMeanZeroVarianceOne()
    {
        var random = new Random(3);
        var (mean, variance) = Moments(() => Sampling.StandardNormal(random));
        Assert.InRange(mean, -0.035, 0.035);
        Assert.InRange(variance, 0.95, 1.05);
    }

    [Theory]
    [InlineData(0.5, 0.5)]
    [InlineData(0.3, 0.8)]
    [InlineData(1, 1)]
    [InlineData(2, 5)]
    [InlineData(30, 970)]
    public void Beta_SampleMomentsMatchAnalytic(double alpha, double beta)
    {
        var posterior = new BetaPosterior(alpha, beta);
        var random = new Random(17);
        var (mean, variance) = Moments(() => posterior.Sample(random));
        var n = alpha + beta;
        Assert.Equal(alpha / n, posterior.Mean, 12);
        Assert.Equal(alpha * beta / (n * n * (n + 1)), posterior.Variance, 12);
        var se = Math.Sqrt(posterior.Variance / Draws);
        Assert.InRange(mean, posterior.Mean - 5 * se, posterior.Mean + 5 * se);
        Assert.InRange(variance, posterior.Variance * 0.92, posterior.Variance * 1.08);
    }

    [Fact]
    public void Beta_Update_AddsCounts()
    {
        var p = BetaPosterior.Uniform.Update(3, 7);
        Assert.Equal(4, p.Alpha);
        Assert.Equal(8, p.Beta);
        Assert.Equal(1.0 / 3, p.Mean, 12);
        Assert.Equal(BetaPosterior.Uniform, new BetaPosterior(1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => p.Update(-1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BetaPosterior(0, 1));
        var m = BetaPosterior.FromMean(0.25, 40);
        Assert.Equal(10, m.Alpha, 12);
        Assert.Equal(30, m.Beta, 12);
    }

    [Fact]
    public void ProbabilityBest_SumsToOne_AndRanksClearlyDifferentArms()
    {
        var arms = new[] { new BetaPosterior(10, 90), new BetaPosterior(30, 70), new BetaPosterior(29, 71) };
        var p = BetaPosterior.ProbabilityBest(arms, new Random(2), 10_000);
        Assert.Equal(1, p.Sum(), 9);
        Assert.True(p[0] < 0.001);
        Assert.InRange(p[1], 0.4, 0.65);
    }

    [Fact]
    public void WatchTime_ConvergesOnTheLogNormalsParameters()
    {
        var random = new Random(5);
        double mu = Math.Log(20), sigma = 0.8;
        var posterior = WatchTimePosterior.Default;
        for (var i = 0; i < 5000; i++)
        {
            posterior = posterior.Update(Math.Exp(mu + sigma * Sampling.StandardNormal(random)));
        }

        Assert.Equal(5000, posterior.Count);
        Assert.InRange(posterior.Mu, mu - 0.05, mu + 0.05);
        Assert.InRange(posterior.ExpectedLogVariance, sigma * sigma * 0.93, sigma * sigma * 1.07);
        var expected = Math.Exp(mu + sigma * sigma / 2);
        Assert.InRange(posterior.MeanSeconds, expected * 0.95, expected * 1.05);
        var (sampleMean, _) = Moments(() => posterior.Sample(random));
        Assert.InRange(sampleMean, expected * 0.95, expected * 1.05);
    }

    [Fact]
    public void WatchTime_PosteriorNarrowsWithData_AndOrdersArms()
    {
        var random = new Random(6);
        var shortArm = WatchTimePosterior.Default.Update(Enumerable.Range(0, 200).Select(_ => Math.Exp(Math.Log(5) + 0.5 * Sampling.StandardNormal(random))));
        var longArm = WatchTimePosterior.Default.Update(Enumerable.Range(0, 200).Select(_ => Math.Exp(Math.Log(12) + 0.5 * Sampling.StandardNormal(random))));
        Assert.True(longArm.MeanSeconds > shortArm.MeanSeconds);
        var wins = Enumerable.Range(0, 2000).Count(_ => longArm.Sample(random) > shortArm.Sample(random));
        Assert.True(wins > 1980, $"{wins}");
        Assert.Throws<ArgumentOutOfRangeException>(() => WatchTimePosterior.Default.Update(-1));
    }
}
