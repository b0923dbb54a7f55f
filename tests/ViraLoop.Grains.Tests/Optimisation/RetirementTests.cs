using ViraLoop.Grains.Optimisation;
using Xunit;

namespace ViraLoop.Grains.Tests.Optimisation;

public sealed class RetirementTests
{
    private static readonly GeneSchema Schema = GeneSchema.Default;

    private static ArmRecord Arm(int seed, long successes, long failures, bool control = false) =>
        new(Schema.RandomGenome(new Random(seed)), ArmEvidence.Independent(successes, failures), control);

    [Fact]
    public void Retire_OnlyArmsPastMinimumExposures_WithLowProbabilityOfBeingBest()
    {
        var arms = new[]
        {
            Arm(1, 100, 900),        // best: 10 %
            Arm(2, 20, 980),         // 2 %, judged: retire
            Arm(3, 0, 50),           // looks awful but only 50 exposures: keep
            Arm(4, 95, 905),         // close to best: keep
            Arm(5, 30, 2970),        // 1 %, judged: retire
        };
        var plan = ArmRetirement.Plan(arms, new RetirementOptions { MinExposures = 500 }, new Random(1));
        Assert.Equal([arms[1].Genome, arms[4].Genome], plan.Retired);
        Assert.Empty(plan.Replacements);
        Assert.True(plan.ProbabilityBest[2] < 0.02, "the young arm is kept for its exposures, not its chances");
        Assert.Equal(1, plan.ProbabilityBest.Sum(), 9);
    }

    [Fact]
    public void Retire_AStarvedArm_OnceTheExperimentGaveItItsChance()
    {
        // Thompson sampling stopped showing arm 2 after 200 exposures (2 %): it never reaches the minimum of its own.
        ArmRecord Starved(long opportunity) => Arm(2, 4, 196) with { Opportunity = opportunity };
        var best = Arm(1, 600, 5400);
        var plan = ArmRetirement.Plan([best, Starved(1_500), Arm(3, 590, 5410)], new RetirementOptions { MinExposures = 1000 }, new Random(1));
        Assert.Empty(plan.Retired); // 1,500 since its birth < 1,000 × 3 candidates: not yet judged
        plan = ArmRetirement.Plan([best, Starved(3_000), Arm(3, 590, 5410)], new RetirementOptions { MinExposures = 1000 }, new Random(1));
        Assert.True(plan.ProbabilityBest[1] < 0.02, string.Join(", ", plan.ProbabilityBest));
        Assert.Equal([Starved(0).Genome], plan.Retired);
    }

    [Fact]
    public void Retire_RaisingTheMinimum_KeepsEveryArm()
    {
        var arms = new[] { Arm(1, 100, 900), Arm(2, 20, 980), Arm(3, 30, 2970) };
        var plan = ArmRetirement.Plan(arms, new RetirementOptions { MinExposures = 5000 }, new Random(1));
        Assert.Empty(plan.Retired);
        plan = ArmRetirement.Plan(arms, new RetirementOptions { MinExposures = 1000 }, new Random(1));
        Assert.Equal(2, plan.Retired.Count);
    }

    [Fact]
    public void Retire_NeverTheControl()
    {
        var arms = new[] { Arm(1, 100, 900), Arm(2, 1, 9999, control: true), Arm(3, 95, 905) };
        var plan = ArmRetirement.Plan(arms, new RetirementOptions { MinExposures = 100 }, new Random(1));
        Assert.Empty(plan.Retired);
        Assert.Equal(0, plan.ProbabilityBest[1]);
    }

    [Fact]
    public void Replace_TheGaBreedsOneNewGenomePerRetiredArm_NoneRunBefore()
    {
        var arms = Enumerable.Range(0, 8).Select(i => Arm(i, 10 + 10 * i, 990 - 10 * i)).ToList();
        arms.Add(Arm(99, 5, 995, control: true));
        var alreadyRun = Enumerable.Range(100, 50).Select(i => Schema.RandomGenome(new Random(i))).ToList();
        var ga = new GeneticAlgorithm(Schema, new Random(3));
        var plan = ArmRetirement.Plan(arms, new RetirementOptions { MinExposures = 1000 }, new Random(2), ga, alreadyRun);
        Assert.NotEmpty(plan.Retired);
        Assert.DoesNotContain(arms[7].Genome, plan.Retired);
        Assert.Equal(plan.Retired.Count, plan.Replacements.Count);
        Assert.Equal(plan.Replacements.Count, plan.Replacements.Distinct().Count());
        Assert.DoesNotContain(plan.Replacements, g => alreadyRun.Contains(g) || arms.Any(a => a.Genome == g));
    }
}
