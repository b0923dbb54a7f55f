using FsCheck;
using FsCheck.Xunit;
using ViraLoop.Grains.Optimisation;

namespace ViraLoop.Grains.Tests.Optimisation;

public sealed class OptimisationProperties
{
    private static readonly GeneSchema Schema = GeneSchema.Default;

    private static Genome FromRaw(int[]? raw) =>
        FromValues(raw ?? []);

    private static Genome FromValues(int[] raw) =>
        new(Schema, Enumerable.Range(0, Schema.Count)
            .Select(g => raw.Length == 0 ? 0 : (int)((uint)raw[g % raw.Length] % (uint)Schema.Genes[g].Values.Count))
            .ToArray());

    [Property]
    public bool Genome_ParseOfFormat_IsTheSameGenome(int[] raw)
    {
        var g = FromRaw(raw);
        var parsed = Genome.Parse(Schema, g.Format());
        return parsed == g && parsed.Id == g.Id && parsed.Hash == g.Hash && g.Format() == g.Id;
    }

    [Property]
    public bool BetaPosterior_MeanInOpenUnitInterval_AndVariancePositive(PositiveInt a, PositiveInt b, NonNegativeInt s, NonNegativeInt f)
    {
        var p = new BetaPosterior(a.Get / 10.0, b.Get / 10.0).Update(s.Get, f.Get);
        return p.Mean > 0 && p.Mean < 1 && p.Variance > 0 && p.Variance < 0.25;
    }

    [Property]
    public bool BetaPosterior_SampleInUnitInterval(PositiveInt a, PositiveInt b, int seed)
    {
        var x = new BetaPosterior(a.Get / 20.0, b.Get / 20.0).Sample(new Random(seed));
        return x >= 0 && x <= 1;
    }

    [Property]
    public bool Mutation_ChangesOnlyGenesToAllowedValues_AndCrossoverKeepsParentsValues(int[] rawA, int[] rawB, int seed)
    {
        var a = FromRaw(rawA);
        var b = FromRaw(rawB);
        var ga = new GeneticAlgorithm(Schema, new Random(seed), new GeneticOptions { MutationRate = 0.5 });
        var child = ga.Crossover(a, b);
        var mutant = ga.Mutate(a);
        return Enumerable.Range(0, Schema.Count).All(g =>
            (child[g] == a[g] || child[g] == b[g]) && mutant[g] >= 0 && mutant[g] < Schema.Genes[g].Values.Count);
    }

    [Property]
    public bool SharedEvidence_PriorMeanInOpenUnitInterval_WeightBounded(int seed, NonNegativeInt arms)
    {
        var random = new Random(seed);
        var model = new SharedEvidenceModel(Schema);
        for (var i = 0; i < arms.Get % 30; i++)
        {
            model.Record(Schema.RandomGenome(random), random.Next(200), random.Next(2000));
        }

        var prior = model.Prior(Schema.RandomGenome(random));
        return prior.Mean > 0 && prior.Mean < 1
            && prior.Weight >= model.Options.MinPriorWeight - 1e-9 && prior.Weight <= model.Options.MaxPriorWeight + 1e-9;
    }

    [Property]
    public bool Allocation_IsStickyPerKey(string key, int seed)
    {
        var allocator = new ArmAllocator(new ThompsonSampling(), new AllocationOptions { ControlShare = 0.2, Salt = seed.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        var arms = Enumerable.Range(0, 4).Select(i => ArmEvidence.Independent(i, 10)).ToArray();
        var first = allocator.Assign(key ?? "", arms, 0);
        arms[1] = ArmEvidence.Independent(1000, 1);
        return allocator.Assign(key ?? "", arms, 0) == first;
    }
}
