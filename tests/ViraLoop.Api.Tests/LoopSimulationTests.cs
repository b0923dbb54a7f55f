extern alias viraloopcli;
using viraloopcli::ViraLoop.Cli;
using ViraLoop.Client;
using Xunit;
using Xunit.Abstractions;

namespace ViraLoop.Api.Tests;

/// <summary>
/// The optimisation loop driven offline through the API by the engagement simulator (viewers with hidden per-gene tastes),
/// on the embedded analytics store: allocation moves to the truly best arm, and the arms bred later are truly better than
/// the first generation. (The cluster test runs the same loop with rendering and ClickHouse, across a ClickHouse restart.)
/// </summary>
public sealed class LoopSimulationTests(ApiFactory api, ITestOutputHelper output) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Simulation_MovesAllocationToTheBestArm_AndLaterGenerationsBeatTheFirst()
    {
        var (_, key) = await api.TenantAsync("sim-co");
        await using var vl = new ViraLoopHttpClient(api.Server.BaseAddress, key, () => api.Server.CreateHandler());
        var simulation = new LoopSimulation(vl, new SimulationOptions { Experiment = "sim", Seed = 7, Rounds = 8, VideosPerRound = 16, ImpressionsPerVideo = 400 });
        var report = await simulation.RunAsync(r =>
        {
            output.WriteLine(LoopSimulation.Describe(r));
            return Task.CompletedTask;
        });
        output.WriteLine($"first generation {report.FirstGenerationRate:P2}, later {report.LaterGenerationsRate:P2}, best possible {report.BestPossibleRate:P2}; "
            + $"{report.EventsSent} sent, {report.DistinctEvents} distinct");

        var first = report.Rounds[0];
        var last = report.Rounds[^1];
        Assert.True(last.Generation >= 2, "the experiment bred at least two generations");
        Assert.True(report.LaterGenerationsRate > report.FirstGenerationRate, "the arms bred later are truly better than the first generation");
        var lastThree = report.Rounds.TakeLast(3).Average(r => r.MeanTrueRate);
        Assert.True(lastThree > first.MeanTrueRate * 1.5, $"the videos of the last rounds are truly better: {lastThree:P2} vs {first.MeanTrueRate:P2}");
        var lastTwo = report.Rounds.TakeLast(2).ToList();
        Assert.True(lastTwo.Average(r => r.BestKnownShare) >= 0.3,
            "the truly best arm with evidence takes at least 30 % of the last rounds' non-control videos (1/8 would be an even spread; bred children take the rest)");
        Assert.True(first.BestKnownShare < 0.5, "the first round spreads the videos");
        Assert.All(report.Rounds, r => Assert.True(r.Durable));

        // Every distinct event counted once, re-deliveries not at all.
        var totals = report.Final.Arms.Sum(a => a.Impressions);
        Assert.Equal(8 * 16 * 400, totals);
        Assert.True(report.EventsSent > report.DistinctEvents);
    }
}
