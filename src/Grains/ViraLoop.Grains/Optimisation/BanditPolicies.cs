namespace ViraLoop.Grains.Optimisation;

/// <summary>
/// What a policy knows of one arm: its raw counts and its posterior (prior plus counts; with shared evidence the prior
/// is the per-gene one, see <see cref="SharedEvidenceModel"/>).
/// </summary>
public readonly record struct ArmEvidence(long Successes, long Failures, BetaPosterior Posterior)
{
    public long Exposures => Successes + Failures;

    /// <summary>Evidence under the Beta(1, 1) prior.</summary>
    public static ArmEvidence Independent(long successes, long failures) =>
        new(successes, failures, BetaPosterior.Uniform.Update(successes, failures));
}

/// <summary>Chooses which of K arms gets the next exposure.</summary>
public interface IBanditPolicy
{
    int Choose(IReadOnlyList<ArmEvidence> arms, Random random);
}

/// <summary>Thompson sampling: one draw from each arm's posterior, the largest wins (ties to the lowest index).</summary>
public sealed class ThompsonSampling : IBanditPolicy
{
    public int Choose(IReadOnlyList<ArmEvidence> arms, Random random)
    {
        Check(arms);
        var best = 0;
        var bestValue = double.NegativeInfinity;
        for (var i = 0; i < arms.Count; i++)
        {
            var v = arms[i].Posterior.Sample(random);
            if (v > bestValue)
            {
                bestValue = v;
                best = i;
            }
        }

        return best;
    }

    internal static void Check(IReadOnlyList<ArmEvidence> arms)
    {
        ArgumentNullException.ThrowIfNull(arms);
        if (arms.Count == 0)
        {
            throw new ArgumentException("no arms", nameof(arms));
        }
    }
}

/// <summary>
/// ε-greedy: with probability ε a uniformly random arm, else the arm with the best observed rate (successes/exposures).
/// An arm never shown counts as best, so each is tried once before exploitation starts.
/// </summary>
public sealed class EpsilonGreedy(double epsilon = 0.1) : IBanditPolicy
{
    public double Epsilon { get; } = epsilon is >= 0 and <= 1 ? epsilon : throw new ArgumentOutOfRangeException(nameof(epsilon));

    public int Choose(IReadOnlyList<ArmEvidence> arms, Random random)
    {
        ThompsonSampling.Check(arms);
        if (random.NextDouble() < Epsilon)
        {
            return random.Next(arms.Count);
        }

        var best = 0;
        var bestValue = double.NegativeInfinity;
        for (var i = 0; i < arms.Count; i++)
        {
            var n = arms[i].Exposures;
            var v = n == 0 ? double.PositiveInfinity : (double)arms[i].Successes / n;
            if (v > bestValue)
            {
                bestValue = v;
                best = i;
            }
        }

        return best;
    }
}

/// <summary>UCB1 (Auer et al. 2002): each arm once, then the largest mean + √(2 ln t / n).</summary>
public sealed class Ucb1 : IBanditPolicy
{
    public int Choose(IReadOnlyList<ArmEvidence> arms, Random random)
    {
        ThompsonSampling.Check(arms);
        long total = 0;
        for (var i = 0; i < arms.Count; i++)
        {
            if (arms[i].Exposures == 0)
            {
                return i;
            }

            total += arms[i].Exposures;
        }

        var logT = Math.Log(total);
        var best = 0;
        var bestValue = double.NegativeInfinity;
        for (var i = 0; i < arms.Count; i++)
        {
            var n = (double)arms[i].Exposures;
            var v = arms[i].Successes / n + Math.Sqrt(2 * logT / n);
            if (v > bestValue)
            {
                bestValue = v;
                best = i;
            }
        }

        return best;
    }
}
