using ViraLoop.Grains.Optimisation;
using Xunit;

namespace ViraLoop.Grains.Tests.Optimisation;

public sealed class GenomeTests
{
    private static readonly GeneSchema Schema = GeneSchema.Default;

    [Fact]
    public void DefaultSchema_HasTheIssuesGenesAndValues()
    {
        Assert.Equal(["hook", "pacing", "caption", "visual", "palette", "mood", "voice", "thumbnail", "title"], Schema.Genes.Select(g => g.Name));
        Assert.Equal(["question", "bold-claim", "number", "story", "contrarian"], Schema.Genes[0].Values);
        Assert.Equal(["gradient", "particles", "geometric", "kinetic", "zoom"], Schema.Genes[Schema.IndexOf("visual")].Values);
        Assert.Equal(["sunset", "ocean", "neon", "forest", "mono"], Schema.Genes[Schema.IndexOf("palette")].Values);
        Assert.Equal(["upbeat", "calm", "dramatic", "playful"], Schema.Genes[Schema.IndexOf("mood")].Values);
        Assert.Equal(5L * 3 * 3 * 5 * 5 * 4 * 3 * 3 * 3, Schema.SpaceSize);
    }

    [Fact]
    public void DefaultSchema_IsExactlyWhatThePipelineAccepts()
    {
        // The optimiser may only breed genomes the media pipeline can make: same genes, same values, same order.
        Assert.Equal(ViraLoop.Media.Pipeline.CreativeGenes.Genes.Select(g => g.Name), Schema.Genes.Select(g => g.Name));
        foreach (var (name, values) in ViraLoop.Media.Pipeline.CreativeGenes.Genes)
            Assert.Equal(values, Schema.Genes[Schema.IndexOf(name)].Values);
    }

    [Fact]
    public void Id_ListsEveryGeneInSchemaOrder()
    {
        var g = new Genome(Schema, [0, 0, 2, 1, 2, 3, 2, 1, 0]);
        Assert.Equal("hook=question;pacing=fast;caption=karaoke;visual=particles;palette=neon;mood=playful;voice=deep;thumbnail=big-word;title=question", g.Id);
        Assert.Equal("neon", g["palette"]);
    }

    [Fact]
    public void Parse_AnyGeneOrder_GivesTheSameGenome()
    {
        var g = Schema.RandomGenome(new Random(3));
        var shuffled = string.Join(';', g.Id.Split(';').Reverse());
        var parsed = Genome.Parse(Schema, shuffled);
        Assert.Equal(g, parsed);
        Assert.Equal(g.Id, parsed.Id);
        Assert.Equal(g.Hash, parsed.Hash);
        Assert.True(g == parsed);
        Assert.Equal(g.GetHashCode(), parsed.GetHashCode());
    }

    [Theory]
    [InlineData("")]
    [InlineData("hook=question")]
    [InlineData("hook=question;pacing=fast;caption=classic;visual=zoom;palette=mono;mood=calm;voice=fast;thumbnail=clean;title=banana")]
    [InlineData("hook=question;pacing=fast;caption=classic;visual=zoom;palette=mono;mood=calm;voice=fast;thumbnail=clean;title=how-to;hook=story")]
    [InlineData("hook=question;pacing=fast;caption=classic;visual=zoom;palette=mono;mood=calm;voice=fast;thumbnail=clean;colour=red")]
    [InlineData("hook;pacing=fast")]
    public void Parse_BadIds_AreRefused(string id)
    {
        Assert.False(Genome.TryParse(Schema, id, out _));
        Assert.Throws<FormatException>(() => Genome.Parse(Schema, id));
    }

    [Fact]
    public void Hash_Is12HexDigits_StableAndDistinct()
    {
        var a = new Genome(Schema, new int[9]);
        Assert.Matches("^[0-9a-f]{12}$", a.Hash);
        // The SHA-256 of the id, pinned: the hash names grains and files, so it must never change.
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(a.Id)))[..12], a.Hash);
        var hashes = Enumerable.Range(0, 2000).Select(i => Schema.RandomGenome(new Random(i))).Distinct().Select(g => g.Hash).ToList();
        Assert.Equal(hashes.Count, hashes.Distinct().Count());
    }

    [Fact]
    public void Constructor_OutOfRangeValue_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Genome(Schema, [5, 0, 0, 0, 0, 0, 0, 0, 0]));
        Assert.Throws<ArgumentException>(() => new Genome(Schema, [0, 0]));
    }

    [Fact]
    public void Genome_IsImmutable_WithReturnsACopy()
    {
        var values = new int[9];
        var g = new Genome(Schema, values);
        values[0] = 3;
        Assert.Equal(0, g[0]);
        var h = g.With(0, 3);
        Assert.Equal(0, g[0]);
        Assert.Equal(3, h[0]);
        Assert.NotEqual(g, h);
    }
}
