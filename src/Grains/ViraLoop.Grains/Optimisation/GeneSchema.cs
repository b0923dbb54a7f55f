namespace ViraLoop.Grains.Optimisation;

/// <summary>One creative gene: its name (as it appears in a genome's id) and its allowed values, in a fixed order.</summary>
public sealed class Gene
{
    public Gene(string name, IReadOnlyList<string> values)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count < 2)
        {
            throw new ArgumentException($"gene '{name}' needs at least two values", nameof(values));
        }

        if (values.Distinct(StringComparer.Ordinal).Count() != values.Count)
        {
            throw new ArgumentException($"gene '{name}' has duplicate values", nameof(values));
        }

        if (name.Contains('=') || name.Contains(';') || values.Any(v => v.Contains('=') || v.Contains(';') || string.IsNullOrWhiteSpace(v)))
        {
            throw new ArgumentException($"gene '{name}': names and values may not contain '=' or ';' or be blank", nameof(values));
        }

        Name = name;
        Values = values.ToArray();
    }

    public string Name { get; }

    public IReadOnlyList<string> Values { get; }

    public int IndexOf(string value)
    {
        for (var i = 0; i < Values.Count; i++)
        {
            if (string.Equals(Values[i], value, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}

/// <summary>
/// The creative genes a video is made from (issue 8) and the values each may take. A <see cref="Genome"/> picks one value
/// per gene. The order of genes here is the order of a genome's id, so it is part of the format: append new genes, never reorder.
/// </summary>
public sealed class GeneSchema
{
    public static readonly GeneSchema Default = new(
    [
        new Gene("hook", ["question", "bold-claim", "number", "story", "contrarian"]),
        new Gene("pacing", ["fast", "medium", "slow"]),
        new Gene("caption", ["classic", "boxed", "karaoke"]),
        new Gene("visual", ["gradient", "particles", "geometric", "kinetic", "zoom"]),
        new Gene("palette", ["sunset", "ocean", "neon", "forest", "mono"]),
        new Gene("mood", ["upbeat", "calm", "dramatic", "playful"]),
        new Gene("voice", ["normal", "fast", "deep"]),
        new Gene("thumbnail", ["title-box", "big-word", "clean"]),
        new Gene("title", ["question", "how-to", "number"]),
    ]);

    private readonly Dictionary<string, int> _byName;

    public GeneSchema(IReadOnlyList<Gene> genes)
    {
        ArgumentNullException.ThrowIfNull(genes);
        if (genes.Count == 0)
        {
            throw new ArgumentException("a schema needs at least one gene", nameof(genes));
        }

        Genes = genes.ToArray();
        _byName = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < Genes.Count; i++)
        {
            if (!_byName.TryAdd(Genes[i].Name, i))
            {
                throw new ArgumentException($"gene '{Genes[i].Name}' appears twice", nameof(genes));
            }
        }
    }

    public IReadOnlyList<Gene> Genes { get; }

    public int Count => Genes.Count;

    /// <summary>How many distinct genomes the schema allows.</summary>
    public long SpaceSize => Genes.Aggregate(1L, (n, g) => checked(n * g.Values.Count));

    /// <summary>The position of a gene by name, or -1.</summary>
    public int IndexOf(string geneName) => _byName.TryGetValue(geneName, out var i) ? i : -1;

    /// <summary>A uniformly random genome.</summary>
    public Genome RandomGenome(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var values = new int[Count];
        for (var g = 0; g < Count; g++)
        {
            values[g] = random.Next(Genes[g].Values.Count);
        }

        return new Genome(this, values);
    }

    /// <summary>A genome from value names by gene name; every gene must be given.</summary>
    public Genome Create(IReadOnlyDictionary<string, string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var indices = new int[Count];
        for (var g = 0; g < Count; g++)
        {
            var gene = Genes[g];
            if (!values.TryGetValue(gene.Name, out var value))
            {
                throw new ArgumentException($"gene '{gene.Name}' is missing", nameof(values));
            }

            indices[g] = gene.IndexOf(value);
            if (indices[g] < 0)
            {
                throw new ArgumentException($"'{value}' is not a value of gene '{gene.Name}'", nameof(values));
            }
        }

        if (values.Count != Count)
        {
            var unknown = values.Keys.First(k => IndexOf(k) < 0);
            throw new ArgumentException($"unknown gene '{unknown}'", nameof(values));
        }

        return new Genome(this, indices);
    }
}
