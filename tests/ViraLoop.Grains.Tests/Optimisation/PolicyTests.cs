using ViraLoop.Grains.Optimisation;
using Xunit;

namespace ViraLoop.Grains.Tests.Optimisation;

public sealed class PolicyTests
{
    private static int[] Run(IBanditPolicy policy, double[] rates, int rounds, int seed, int countFrom = 0)
    {
        var random = new Random(seed);
        var successes = new long[rates.Length];
        var failures = new long[rates.Length];
        var arms = new ArmEvidence[rates.Length];
        var chosen = new int[rates.Length];
        for (var t = 0; t < rounds; t++)
        {
            for (var i = 0; i < arms.Length; i++)
            {
                arms[i] = ArmEvidence.Independent(successes[i], failures[i]);
            }

            var a = policy.Choose(arms, random);
            if (random.NextDouble() < rates[a])
            {
                successes[a]++;
            }
            else
            {
                failures[a]++;
            }

            if (t >= countFrom)
            {
                chosen[a]++;
            }
        }

        return chosen;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Thompson_TwoArms_AllocatesOver90PercentToTheBetterArm(int seed)
    {
        var chosen = Run(new ThompsonSampling(), [0.05, 0.10], rounds: 6000, seed, countFrom: 3000);
        Assert.True(chosen[1] > 0.9 * 3000, $"better arm got {chosen[1]} of the last 3000");
    }

    [Fact]
    public void Thompson_EqualArms_SplitsRoughlyEvenly()
    {
        // The control for the test above: with no difference, no arm should get 90 %.
        var chosen = Run(new ThompsonSampling(), [0.1, 0.1], rounds: 2000, seed: 4);
        Assert.InRange(chosen[0], 200, 1800);
    }

    [Fact]
    public void Ucb1_TriesEveryArmFirst_ThenFavoursTheBest()
    {
        var chosen = Run(new Ucb1(), [0.2, 0.5, 0.3], rounds: 3, seed: 1);
        Assert.Equal([1, 1, 1], chosen);
        chosen = Run(new Ucb1(), [0.2, 0.5, 0.3], rounds: 5000, seed: 1);
        Assert.True(chosen[1] > chosen[0] && chosen[1] > chosen[2]);
    }

    [Fact]
    public void EpsilonGreedy_ExploresAboutEpsilon()
    {
        var chosen = Run(new EpsilonGreedy(0.1), [0.1, 0.9], rounds: 10_000, seed: 2);
        // Exploitation picks arm 1 once it leads; exploration gives arm 0 about ε/2 of rounds.
        Assert.InRange(chosen[0], 300, 800);
        Assert.Throws<ArgumentOutOfRangeException>(() => new EpsilonGreedy(1.5));
    }

    [Fact]
    public void Sticky_SameKey_SameArm_EvenAfterThePosteriorsMove()
    {
        var allocator = new ArmAllocator(new ThompsonSampling(), new AllocationOptions { ControlShare = 0.1, Salt = "exp-1" });
        var arms = Enumerable.Range(0, 5).Select(_ => ArmEvidence.Independent(0, 0)).ToArray();
        var keys = Enumerable.Range(0, 500).Select(i => $"viewer-{i}").ToArray();
        var first = keys.Select(k => allocator.Assign(k, arms, controlArm: 0)).ToArray();
        Assert.True(first.Select(a => a.Arm).Distinct().Count() >= 4);
        arms[3] = ArmEvidence.Independent(900, 100);
        arms[4] = ArmEvidence.Independent(1, 999);
        var again = keys.Select(k => allocator.Assign(k, arms, controlArm: 0)).ToArray();
        Assert.Equal(first, again);

        // A fresh allocator (e.g. a reactivated grain without its table) still puts a key in or out of control the same way,
        // and with the same posteriors makes the same choice: the choice is seeded from the key's hash.
        var fresh = new ArmAllocator(new ThompsonSampling(), new AllocationOptions { ControlShare = 0.1, Salt = "exp-1" });
        var initial = Enumerable.Range(0, 5).Select(_ => ArmEvidence.Independent(0, 0)).ToArray();
        Assert.Equal(first, keys.Select(k => fresh.Assign(k, initial, controlArm: 0)));
    }

    [Fact]
    public void Sticky_ForgetARetiredArm_ReassignsItsKeys()
    {
        var allocator = new ArmAllocator(new ThompsonSampling(), new AllocationOptions { ControlShare = 0 });
        var arms = Enumerable.Range(0, 3).Select(_ => ArmEvidence.Independent(0, 0)).ToArray();
        var keys = Enumerable.Range(0, 200).Select(i => $"v{i}").ToArray();
        foreach (var k in keys)
        {
            allocator.Assign(k, arms, 0);
        }

        var onTwo = keys.Where(k => allocator.Assignments[k] == 2).ToList();
        Assert.NotEmpty(onTwo);
        allocator.Forget(2);
        arms[2] = ArmEvidence.Independent(0, 10_000);
        arms[1] = ArmEvidence.Independent(5_000, 5_000);
        Assert.All(onTwo, k => Assert.Equal(1, allocator.Assign(k, arms, 0).Arm));
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(0.25)]
    public void ControlShare_ObservedWithinTolerance(double share)
    {
        var allocator = new ArmAllocator(new ThompsonSampling(), new AllocationOptions { ControlShare = share, Salt = "exp-2" });
        var arms = Enumerable.Range(0, 4).Select(_ => ArmEvidence.Independent(0, 0)).ToArray();
        const int n = 20_000;
        var control = Enumerable.Range(0, n).Count(i => allocator.Assign($"video-{i}", arms, controlArm: 2).IsControl);
        var sd = Math.Sqrt(share * (1 - share) / n);
        Assert.InRange(control / (double)n, share - 5 * sd, share + 5 * sd);
        Assert.All(Enumerable.Range(0, 200), i =>
        {
            var a = allocator.Assign($"video-{i}", arms, 2);
            Assert.Equal(a.IsControl, a.Arm == 2);
        });
    }

    [Fact]
    public void StableHash_IsFixedAcrossProcesses_AndSaltMatters()
    {
        // Pinned: a change of hash would move every viewer to another arm.
        Assert.Equal(ArmAllocator.StableHash("", "a"), ArmAllocator.StableHash("", "a"));
        Assert.NotEqual(ArmAllocator.StableHash("x", "a"), ArmAllocator.StableHash("y", "a"));
        Assert.Equal(0xc5de4bf68506f64dUL, ArmAllocator.StableHash("exp", "viewer-1"));
    }
}
