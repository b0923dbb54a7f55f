using ViraLoop.Grains.Optimisation;
using Xunit;

namespace ViraLoop.Grains.Tests.Optimisation;

public sealed class SharedEvidenceTests
{
    private static readonly GeneSchema Schema = GeneSchema.Default;

    private static Genome With(Genome g, string gene, string value) =>
        g.With(Schema.IndexOf(gene), Schema.Genes[Schema.IndexOf(gene)].IndexOf(value));

    [Fact]
    public void NeverSeenGenome_SharingGenesWithGoodArms_GetsAPriorAboveTheGlobalMean()
    {
        var random = new Random(4);
        var model = new SharedEvidenceModel(Schema);
        var seen = new HashSet<Genome>();
        // 40 arms: those with hook=story and palette=neon convert at 8 %, the rest at 2 %.
        for (var i = 0; i < 40; i++)
        {
            var g = Schema.RandomGenome(random);
            if (i % 2 == 0)
            {
                g = With(With(g, "hook", "story"), "palette", "neon");
            }
            else if (g["hook"] == "story" || g["palette"] == "neon")
            {
                g = With(With(g, "hook", "number"), "palette", "mono");
            }

            seen.Add(g);
            var rate = i % 2 == 0 ? 0.08 : 0.02;
            var s = Enumerable.Range(0, 500).Count(_ => random.NextDouble() < rate);
            model.Record(g, s, 500 - s);
        }

        var fresh = Schema.RandomGenome(new Random(77));
        fresh = With(With(fresh, "hook", "story"), "palette", "neon");
        Assert.DoesNotContain(fresh, seen);
        var global = model.Global.Mean;
        var good = model.Prior(fresh);
        Assert.True(good.Mean > global * 1.3, $"prior {good.Mean:F4} vs global {global:F4}");
        var bad = model.Prior(With(With(fresh, "hook", "number"), "palette", "mono"));
        Assert.True(bad.Mean < global, $"prior {bad.Mean:F4} vs global {global:F4}");
        Assert.True(model.Effect(Schema.IndexOf("hook"), Schema.Genes[0].IndexOf("story")) > 0);

        // The arm's own data then move it: a good-looking genome that fails is pulled down.
        var failing = model.Posterior(fresh, 0, 3000);
        Assert.True(failing.Mean < global);
    }

    [Fact]
    public void Prior_WithNoEvidence_IsUniform_AndItsWeightIsBounded()
    {
        var model = new SharedEvidenceModel(Schema, new SharedEvidenceOptions { MaxPriorWeight = 50 });
        var g = Schema.RandomGenome(new Random(1));
        var prior = model.Prior(g);
        Assert.Equal(0.5, prior.Mean, 9);
        Assert.Equal(2, prior.Weight, 9);
        model.Record(g, 300, 9700);
        prior = model.Prior(g);
        Assert.Equal(50, prior.Weight, 9);
        Assert.InRange(prior.Mean, 0.02, 0.04);
        Assert.Equal(300, model.ValuePosterior(0, g[0]).Alpha - 1);
    }

    [Fact]
    public void Effects_AreShrunkTowardsZero_WhenAValueIsLittleSeen()
    {
        var model = new SharedEvidenceModel(Schema);
        var a = new Genome(Schema, new int[9]);
        var b = new Genome(Schema, [1, 1, 1, 1, 1, 1, 1, 1, 1]);
        model.Record(a, 50, 950);
        model.Record(b, 2, 8);
        var little = model.Effect(0, 1);
        Assert.True(little > 0 && little < 0.5, $"{little}");
        model.Record(b, 200, 800);
        Assert.True(model.Effect(0, 1) > Math.Max(0.4, 1.5 * little), $"{model.Effect(0, 1)}");
    }
}
