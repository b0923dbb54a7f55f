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
        Assert.True(good.Mean > global * 1.15, $"prior {good.Mean:F4} vs global {global:F4}");
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
        var b = a.With(0, 1);
        model.Record(a, 50, 950);
        model.Record(b, 2, 8);
        var little = model.Effect(0, 1) - model.Effect(0, 0);
        Assert.True(little > 0 && little < 0.5, $"{little}");
        model.Record(b, 200, 800);
        var much = model.Effect(0, 1) - model.Effect(0, 0);
        Assert.True(much > Math.Max(0.8, 2 * little), $"{much}");
        Assert.True(model.PredictedRate(b) > 3 * model.PredictedRate(a));
    }

    [Fact]
    public void Fit_IsNotFooledByConfounding_WhereMarginalRatesWouldBe()
    {
        // hook=story is worthless on its own; it only ever ran beside palette=neon, which is good. A fresh genome with
        // hook=story but palette=mono should not be credited for neon's success, while neon with any hook should.
        var model = new SharedEvidenceModel(Schema);
        var random = new Random(9);
        var story = Schema.Genes[0].IndexOf("story");
        var question = Schema.Genes[0].IndexOf("question");
        var neon = Schema.Genes[Schema.IndexOf("palette")].IndexOf("neon");
        var mono = Schema.Genes[Schema.IndexOf("palette")].IndexOf("mono");
        var palette = Schema.IndexOf("palette");
        for (var i = 0; i < 60; i++)
        {
            var g = Schema.RandomGenome(random);
            var (hook, pal, rate) = (i % 3) switch
            {
                0 => (story, neon, 0.08),
                1 => (question, neon, 0.08),
                _ => (question, mono, 0.02),
            };
            g = g.With(0, hook).With(palette, pal);
            var s = Enumerable.Range(0, 1000).Count(_ => random.NextDouble() < rate);
            model.Record(g, s, 1000 - s);
        }

        Assert.InRange(model.Effect(0, story) - model.Effect(0, question), -0.25, 0.25);
        Assert.True(model.Effect(palette, neon) - model.Effect(palette, mono) > 1.0);
        var fresh = Schema.RandomGenome(new Random(1234)).With(0, story).With(palette, mono);
        Assert.InRange(model.PredictedRate(fresh), 0.01, 0.035);
    }
}
