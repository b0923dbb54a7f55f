using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace ViraLoop.Grains.Optimisation;

/// <summary>
/// An immutable choice of one value per gene of a <see cref="GeneSchema"/>. Its id lists every gene in schema order,
/// <c>hook=question;pacing=fast;…</c>; two genomes are equal when their schemas are the same instance and their values are
/// equal (so when their ids are equal). <see cref="Hash"/> is the first 12 hex digits of the id's SHA-256: short, stable
/// across processes and machines, fit for grain keys and file names.
/// </summary>
public sealed class Genome : IEquatable<Genome>
{
    private readonly int[] _values;
    private string? _id;
    private string? _hash;

    public Genome(GeneSchema schema, IReadOnlyList<int> values)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count != schema.Count)
        {
            throw new ArgumentException($"a genome has {schema.Count} values, one per gene; got {values.Count}", nameof(values));
        }

        _values = new int[values.Count];
        for (var g = 0; g < values.Count; g++)
        {
            if ((uint)values[g] >= (uint)schema.Genes[g].Values.Count)
            {
                throw new ArgumentOutOfRangeException(nameof(values), $"gene '{schema.Genes[g].Name}' has no value #{values[g]}");
            }

            _values[g] = values[g];
        }

        Schema = schema;
    }

    public GeneSchema Schema { get; }

    /// <summary>The value index of each gene, in schema order.</summary>
    public IReadOnlyList<int> Values => _values;

    public int this[int gene] => _values[gene];

    /// <summary>The value name of a gene, by gene name.</summary>
    public string this[string geneName]
    {
        get
        {
            var g = Schema.IndexOf(geneName);
            if (g < 0)
            {
                throw new KeyNotFoundException($"unknown gene '{geneName}'");
            }

            return Schema.Genes[g].Values[_values[g]];
        }
    }

    public string Id => _id ??= Format();

    public string Hash => _hash ??= Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Id)))[..12];

    /// <summary>A copy with one gene set to another value index.</summary>
    public Genome With(int gene, int value)
    {
        var values = (int[])_values.Clone();
        values[gene] = value;
        return new Genome(Schema, values);
    }

    public string Format()
    {
        var sb = new StringBuilder();
        for (var g = 0; g < _values.Length; g++)
        {
            if (g > 0)
            {
                sb.Append(';');
            }

            var gene = Schema.Genes[g];
            sb.Append(gene.Name).Append('=').Append(gene.Values[_values[g]]);
        }

        return sb.ToString();
    }

    /// <summary>Parses an id; genes may come in any order but each exactly once, and all must be present.</summary>
    public static Genome Parse(GeneSchema schema, string id)
    {
        if (!TryParse(schema, id, out var genome, out var error))
        {
            throw new FormatException(error);
        }

        return genome;
    }

    public static bool TryParse(GeneSchema schema, string id, [NotNullWhen(true)] out Genome? genome) =>
        TryParse(schema, id, out genome, out _);

    private static bool TryParse(GeneSchema schema, string id, [NotNullWhen(true)] out Genome? genome, out string error)
    {
        ArgumentNullException.ThrowIfNull(schema);
        genome = null;
        if (string.IsNullOrEmpty(id))
        {
            error = "empty genome id";
            return false;
        }

        var values = new int[schema.Count];
        Array.Fill(values, -1);
        foreach (var part in id.Split(';'))
        {
            var eq = part.IndexOf('=');
            if (eq <= 0)
            {
                error = $"'{part}' is not gene=value";
                return false;
            }

            var name = part[..eq];
            var g = schema.IndexOf(name);
            if (g < 0)
            {
                error = $"unknown gene '{name}'";
                return false;
            }

            if (values[g] >= 0)
            {
                error = $"gene '{name}' appears twice";
                return false;
            }

            values[g] = schema.Genes[g].IndexOf(part[(eq + 1)..]);
            if (values[g] < 0)
            {
                error = $"'{part[(eq + 1)..]}' is not a value of gene '{name}'";
                return false;
            }
        }

        var missing = Array.IndexOf(values, -1);
        if (missing >= 0)
        {
            error = $"gene '{schema.Genes[missing].Name}' is missing";
            return false;
        }

        genome = new Genome(schema, values);
        error = "";
        return true;
    }

    public bool Equals(Genome? other) =>
        other is not null && ReferenceEquals(Schema, other.Schema) && _values.AsSpan().SequenceEqual(other._values);

    public override bool Equals(object? obj) => Equals(obj as Genome);

    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var v in _values)
        {
            h.Add(v);
        }

        return h.ToHashCode();
    }

    public override string ToString() => Id;

    public static bool operator ==(Genome? a, Genome? b) => a is null ? b is null : a.Equals(b);

    public static bool operator !=(Genome? a, Genome? b) => !(a == b);
}
