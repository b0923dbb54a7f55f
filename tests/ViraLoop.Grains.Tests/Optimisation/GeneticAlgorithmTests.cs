using ViraLoop.Grains.Optimisation;
using Xunit;

namespace ViraLoop.Grains.Tests.Optimisation;

public sealed class GeneticAlgorithmTests
{
    private static readonly GeneSchema Schema = GeneSchema.Default;

    private static List<ScoredGenome> Population(int seed, int size)
    {
        var random = new Random(seed);
        var genomes = new HashSet<Genome>();
        while (genomes.Count < size)
        {
            genomes.Add(Schema.RandomGenome(random));
        }

        return genomes.Select(g => new ScoredGenome(g, random.NextDouble())).ToList();
    }

    [Fact]
    public void Crossover_OnlyMixesTheParentsValues_AndTakesFromBoth()
    {
        var ga = new GeneticAlgorithm(Schema, new Random(1));
        var a = new Genome(Schema, [0, 0, 0, 0, 0, 0, 0, 0, 0]);
        var b = new Genome(Schema, [1, 1, 1, 1, 1, 1, 1, 1, 1]);
        var fromA = 0;
        for (var t = 0; t < 1000; t++)
        {
            var child = ga.Crossover(a, b);
            for (var g = 0; g < Schema.Count; g++)
            {
                Assert.True(child[g] == a[g] || child[g] == b[g], $"gene {g} = {child[g]}");
                fromA += child[g] == a[g] ? 1 : 0;
            }
        }

        Assert.InRange(fromA / 9000.0, 0.47, 0.53);
    }

    [Theory]
    [InlineData(0.05)]
    [InlineData(0.1)]
    [InlineData(0.3)]
    public void Mutation_RateObservedWithinBounds_AndAlwaysChangesTheValue(double rate)
    {
        var ga = new GeneticAlgorithm(Schema, new Random(7), new GeneticOptions { MutationRate = rate });
        var parent = new Genome(Schema, [2, 1, 1, 2, 2, 1, 1, 1, 1]);
        var changed = 0;
        const int trials = 4000;
        var seen = new HashSet<(int, int)>();
        for (var t = 0; t < trials; t++)
        {
            var child = ga.Mutate(parent);
            for (var g = 0; g < Schema.Count; g++)
            {
                if (child[g] != parent[g])
                {
                    changed++;
                    seen.Add((g, child[g]));
                }
            }
        }

        var observed = changed / (double)(trials * Schema.Count);
        var sd = Math.Sqrt(rate * (1 - rate) / (trials * Schema.Count));
        Assert.InRange(observed, rate - 5 * sd, rate + 5 * sd);
        // Every other value of every gene is reachable.
        Assert.Equal(Schema.Genes.Sum(g => g.Values.Count - 1), seen.Count);
    }

    [Fact]
    public void Mutation_RateZero_ReturnsTheParent()
    {
        var ga = new GeneticAlgorithm(Schema, new Random(7), new GeneticOptions { MutationRate = 0 });
        var parent = Schema.RandomGenome(new Random(1));
        Assert.Same(parent, ga.Mutate(parent));
    }

    [Fact]
    public void NextGeneration_KeepsTheElites_HasNoDuplicates_AndTheRequestedSize()
    {
        var population = Population(11, 30);
        var ga = new GeneticAlgorithm(Schema, new Random(5), new GeneticOptions { Elites = 3 });
        var next = ga.NextGeneration(population, 40);
        Assert.Equal(40, next.Count);
        Assert.Equal(40, next.Distinct().Count());
        var best = population.OrderByDescending(s => s.Fitness).Take(3).Select(s => s.Genome).ToList();
        Assert.Equal(best, next.Take(3));
    }

    [Fact]
    public void NextGeneration_FromClones_StillHasNoDuplicates()
    {
        var g = Schema.RandomGenome(new Random(2));
        var population = Enumerable.Repeat(new ScoredGenome(g, 1), 10).ToList();
        var ga = new GeneticAlgorithm(Schema, new Random(5), new GeneticOptions { MutationRate = 0.01 });
        var next = ga.NextGeneration(population, 25);
        Assert.Equal(25, next.Distinct().Count());
        Assert.Equal(g, next[0]);
    }

    [Fact]
    public void Offspring_AvoidsExcludedGenomes()
    {
        var population = Population(3, 20);
        var exclude = population.Select(s => s.Genome).ToHashSet();
        var before = exclude.Count;
        var ga = new GeneticAlgorithm(Schema, new Random(9));
        var children = ga.Offspring(population, 50, exclude);
        Assert.Equal(50, children.Distinct().Count());
        Assert.DoesNotContain(children, exclude.Contains);
        Assert.Equal(before, exclude.Count);
    }

    [Fact]
    public void Offspring_MoreThanTheSchemaHolds_Throws()
    {
        var tiny = new GeneSchema([new Gene("a", ["x", "y"]), new Gene("b", ["x", "y"])]);
        var ga = new GeneticAlgorithm(tiny, new Random(1));
        var population = new[] { new ScoredGenome(new Genome(tiny, [0, 0]), 1) };
        Assert.Equal(4, ga.NextGeneration(population, 4).Distinct().Count());
        Assert.Throws<InvalidOperationException>(() => ga.NextGeneration(population, 5));
    }

    [Fact]
    public void SameSeed_SameGeneration_OtherSeed_Different()
    {
        var population = Population(21, 20);
        string Run(int seed) => string.Join('|', new GeneticAlgorithm(Schema, new Random(seed)).NextGeneration(population, 20).Select(g => g.Id));
        Assert.Equal(Run(4), Run(4));
        Assert.NotEqual(Run(4), Run(5));
    }

    [Fact]
    public void Selection_FavoursFitterGenomes_OverGenerations()
    {
        // Fitness = number of genes at value 0; a few generations should raise the population's mean fitness.
        static double Fitness(Genome g) => g.Values.Count(v => v == 0);
        var random = new Random(8);
        var ga = new GeneticAlgorithm(Schema, random);
        var pop = Population(8, 30).Select(s => s.Genome).ToList();
        var start = pop.Average(Fitness);
        for (var gen = 0; gen < 10; gen++)
        {
            pop = ga.NextGeneration(pop.Select(g => new ScoredGenome(g, Fitness(g))).ToList(), 30).ToList();
        }

        Assert.True(pop.Average(Fitness) > start + 2, $"{start} → {pop.Average(Fitness)}");
    }
}
