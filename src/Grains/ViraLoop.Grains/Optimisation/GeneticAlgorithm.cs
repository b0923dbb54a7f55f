namespace ViraLoop.Grains.Optimisation;

/// <summary>A genome and its fitness (in the loop: the arm's posterior mean, or a posterior draw).</summary>
public readonly record struct ScoredGenome(Genome Genome, double Fitness);

/// <summary>Options for <see cref="GeneticAlgorithm"/>.</summary>
public sealed record GeneticOptions
{
    /// <summary>Genomes drawn (with replacement) for each tournament; the fittest is the parent.</summary>
    public int TournamentSize { get; init; } = 3;

    /// <summary>The chance two parents are crossed; otherwise the child copies the first parent (then mutates).</summary>
    public double CrossoverRate { get; init; } = 0.9;

    /// <summary>The chance each gene of a child is changed to a different value, uniformly among the others.</summary>
    public double MutationRate { get; init; } = 0.1;

    /// <summary>The fittest genomes carried unchanged into the next generation.</summary>
    public int Elites { get; init; } = 2;

    /// <summary>Tries at a new child before a uniformly random unseen genome is taken instead.</summary>
    public int MaxTriesPerChild { get; init; } = 64;
}

/// <summary>
/// A seeded genetic algorithm over <see cref="Genome"/>s: tournament selection, uniform crossover, per-gene mutation,
/// elitism, and no duplicate genome in a generation (nor any genome the caller excludes, e.g. arms already tried).
/// Everything random comes from the <see cref="Random"/> it is given, so a seed fixes the result.
/// </summary>
public sealed class GeneticAlgorithm
{
    private readonly Random _random;

    public GeneticAlgorithm(GeneSchema schema, Random random, GeneticOptions? options = null)
    {
        Schema = schema ?? throw new ArgumentNullException(nameof(schema));
        _random = random ?? throw new ArgumentNullException(nameof(random));
        Options = options ?? new GeneticOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(Options.TournamentSize, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(Options.Elites);
        ArgumentOutOfRangeException.ThrowIfLessThan(Options.MaxTriesPerChild, 1);
        if (Options.MutationRate is < 0 or > 1 || Options.CrossoverRate is < 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "rates must be in [0, 1]");
        }
    }

    public GeneSchema Schema { get; }

    public GeneticOptions Options { get; }

    /// <summary>Uniform crossover: each gene from either parent with probability ½.</summary>
    public Genome Crossover(Genome a, Genome b)
    {
        CheckSchema(a);
        CheckSchema(b);
        var values = new int[Schema.Count];
        for (var g = 0; g < values.Length; g++)
        {
            values[g] = _random.NextDouble() < 0.5 ? a[g] : b[g];
        }

        return new Genome(Schema, values);
    }

    /// <summary>Each gene, with probability <see cref="GeneticOptions.MutationRate"/>, takes a different value.</summary>
    public Genome Mutate(Genome genome)
    {
        CheckSchema(genome);
        int[]? values = null;
        for (var g = 0; g < Schema.Count; g++)
        {
            if (_random.NextDouble() < Options.MutationRate)
            {
                values ??= genome.Values.ToArray();
                var count = Schema.Genes[g].Values.Count;
                var other = _random.Next(count - 1);
                values[g] = other >= genome[g] ? other + 1 : other;
            }
        }

        return values is null ? genome : new Genome(Schema, values);
    }

    /// <summary>The fittest of <see cref="GeneticOptions.TournamentSize"/> genomes drawn with replacement.</summary>
    public Genome Tournament(IReadOnlyList<ScoredGenome> population)
    {
        ArgumentNullException.ThrowIfNull(population);
        if (population.Count == 0)
        {
            throw new ArgumentException("empty population", nameof(population));
        }

        var best = population[_random.Next(population.Count)];
        for (var i = 1; i < Options.TournamentSize; i++)
        {
            var c = population[_random.Next(population.Count)];
            if (c.Fitness > best.Fitness)
            {
                best = c;
            }
        }

        return best.Genome;
    }

    /// <summary>
    /// The next generation of <paramref name="size"/> distinct genomes: the <see cref="GeneticOptions.Elites"/> fittest
    /// (ties broken by id, for determinism), then children of tournament-chosen parents, crossed and mutated.
    /// </summary>
    public IReadOnlyList<Genome> NextGeneration(IReadOnlyList<ScoredGenome> population, int size)
    {
        ArgumentNullException.ThrowIfNull(population);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        var next = new List<Genome>(size);
        var taken = new HashSet<Genome>();
        foreach (var s in Ranked(population))
        {
            if (next.Count >= Math.Min(Options.Elites, size))
            {
                break;
            }

            if (taken.Add(s.Genome))
            {
                next.Add(s.Genome);
            }
        }

        next.AddRange(Breed(population, size - next.Count, taken));
        return next;
    }

    /// <summary>
    /// <paramref name="count"/> new distinct genomes bred from <paramref name="population"/>, none of them in
    /// <paramref name="exclude"/> (e.g. every arm the experiment has run): replacements for retired arms.
    /// </summary>
    public IReadOnlyList<Genome> Offspring(IReadOnlyList<ScoredGenome> population, int count, IEnumerable<Genome>? exclude = null)
    {
        ArgumentNullException.ThrowIfNull(population);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return Breed(population, count, new HashSet<Genome>(exclude ?? []));
    }

    private List<Genome> Breed(IReadOnlyList<ScoredGenome> population, int count, HashSet<Genome> taken)
    {
        if (taken.Count + count > Schema.SpaceSize)
        {
            throw new InvalidOperationException($"the schema has {Schema.SpaceSize} genomes; cannot find {count} new ones beside {taken.Count}");
        }

        var children = new List<Genome>(count);
        while (children.Count < count)
        {
            Genome? child = null;
            for (var t = 0; t < Options.MaxTriesPerChild && population.Count > 0; t++)
            {
                var a = Tournament(population);
                var candidate = _random.NextDouble() < Options.CrossoverRate ? Crossover(a, Tournament(population)) : a;
                candidate = Mutate(candidate);
                if (!taken.Contains(candidate))
                {
                    child = candidate;
                    break;
                }
            }

            while (child is null || taken.Contains(child))
            {
                child = Schema.RandomGenome(_random);
            }

            taken.Add(child);
            children.Add(child);
        }

        return children;
    }

    private static IEnumerable<ScoredGenome> Ranked(IReadOnlyList<ScoredGenome> population) =>
        population.OrderByDescending(s => s.Fitness).ThenBy(s => s.Genome.Id, StringComparer.Ordinal);

    private void CheckSchema(Genome genome)
    {
        ArgumentNullException.ThrowIfNull(genome);
        if (!ReferenceEquals(genome.Schema, Schema))
        {
            throw new ArgumentException("the genome belongs to another schema", nameof(genome));
        }
    }
}
