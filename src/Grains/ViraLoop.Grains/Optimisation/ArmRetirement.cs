namespace ViraLoop.Grains.Optimisation;

/// <summary>Options for <see cref="ArmRetirement"/>.</summary>
public sealed record RetirementOptions
{
    /// <summary>An arm is not judged before it has had this many exposures.</summary>
    public long MinExposures { get; init; } = 1000;

    /// <summary>An arm past the minimum is retired when its probability of being the best arm is below this.</summary>
    public double MaxProbabilityBest { get; init; } = 0.02;

    /// <summary>Joint posterior draws for the probability of being best.</summary>
    public int Draws { get; init; } = 4000;
}

/// <summary>
/// One arm of an experiment as retirement sees it. The control is never retired and never a parent. <paramref name="Opportunity"/>
/// is the exposures the whole experiment has had since the arm was born: what the arm could have won had the allocation favoured it.
/// </summary>
public readonly record struct ArmRecord(Genome Genome, ArmEvidence Evidence, bool IsControl = false, long Opportunity = 0);

/// <summary>What <see cref="ArmRetirement.Plan"/> decided.</summary>
/// <param name="Retired">The arms to retire.</param>
/// <param name="Replacements">New genomes from the GA, one per retired arm, none run before.</param>
/// <param name="ProbabilityBest">Each arm's probability of being the best non-control arm (0 for the control), in input order.</param>
public sealed record RetirementPlan(IReadOnlyList<Genome> Retired, IReadOnlyList<Genome> Replacements, IReadOnlyList<double> ProbabilityBest);

/// <summary>
/// "The GA's next generation replaces weak arms": an arm is retired only when it has been judged and its posterior
/// probability of being the best non-control arm is below <see cref="RetirementOptions.MaxProbabilityBest"/>. It is judged
/// once it has had <see cref="RetirementOptions.MinExposures"/> exposures of its own, or once the experiment has had
/// MinExposures × (the number of candidate arms) exposures since it was born (<see cref="ArmRecord.Opportunity"/>): Thompson
/// sampling starves an arm that looks hopeless, and a starved arm would otherwise never reach the minimum, never be
/// retired, and hold its place from the next generation for ever; the genetic algorithm then breeds one replacement per retired arm
/// from all non-control arms, with their posterior means as fitness, excluding every genome already run.
/// </summary>
public static class ArmRetirement
{
    public static RetirementPlan Plan(
        IReadOnlyList<ArmRecord> arms,
        RetirementOptions options,
        Random random,
        GeneticAlgorithm? ga = null,
        IEnumerable<Genome>? alreadyRun = null)
    {
        ArgumentNullException.ThrowIfNull(arms);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(random);
        var candidates = Enumerable.Range(0, arms.Count).Where(i => !arms[i].IsControl).ToArray();
        var probability = new double[arms.Count];
        if (candidates.Length == 0)
        {
            return new RetirementPlan([], [], probability);
        }

        var p = BetaPosterior.ProbabilityBest(candidates.Select(i => arms[i].Evidence.Posterior).ToArray(), random, options.Draws);
        for (var j = 0; j < candidates.Length; j++)
        {
            probability[candidates[j]] = p[j];
        }

        var retired = candidates
            .Where(i => (arms[i].Evidence.Exposures >= options.MinExposures || arms[i].Opportunity >= options.MinExposures * candidates.Length)
                && probability[i] < options.MaxProbabilityBest)
            .Select(i => arms[i].Genome)
            .ToList();
        if (retired.Count == 0 || ga is null)
        {
            return new RetirementPlan(retired, [], probability);
        }

        var population = candidates.Select(i => new ScoredGenome(arms[i].Genome, arms[i].Evidence.Posterior.Mean)).ToArray();
        var exclude = new HashSet<Genome>(alreadyRun ?? []);
        exclude.UnionWith(arms.Select(a => a.Genome));
        var replacements = ga.Offspring(population, retired.Count, exclude);
        return new RetirementPlan(retired, replacements, probability);
    }
}
