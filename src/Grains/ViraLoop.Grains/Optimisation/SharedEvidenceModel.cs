namespace ViraLoop.Grains.Optimisation;

/// <summary>Options for <see cref="SharedEvidenceModel"/>.</summary>
public sealed record SharedEvidenceOptions
{
    /// <summary>
    /// Pseudo-exposures at the global rate added to each (gene, value)'s counts before its effect is taken: a value seen
    /// little has an effect near zero.
    /// </summary>
    public double Shrinkage { get; init; } = 100;

    /// <summary>The most pseudo-exposures an arm's prior may carry, however much the genes have seen.</summary>
    public double MaxPriorWeight { get; init; } = 200;

    /// <summary>The least pseudo-exposures an arm's prior carries (with no evidence at all it is Beta(1, 1)).</summary>
    public double MinPriorWeight { get; init; } = 2;

    /// <summary>The prior's weight is this share of the fewest exposures any of the genome's values has had (then clamped).</summary>
    public double WeightPerExposure { get; init; } = 0.1;

    /// <summary>Each summed logit effect is clamped to ± this, so one noisy value cannot take the prior to 0 or 1.</summary>
    public double MaxEffect { get; init; } = 2;
}

/// <summary>
/// Evidence shared across genes, so that a new genome does not start from nothing.
/// <para>
/// <b>Model.</b> Every outcome of every arm updates a global count (S, F) and a count (s, f) for each of the arm's
/// (gene, value) pairs. The global rate is p₀ = (S + 1)/(S + F + 2). A value's rate is shrunk towards it,
/// p_gv = (s + k·p₀)/(s + f + k) with k = <see cref="SharedEvidenceOptions.Shrinkage"/>, and its effect is
/// e_gv = logit(p_gv) − logit(p₀), clamped to ±<see cref="SharedEvidenceOptions.MaxEffect"/>. Effects are additive in logit
/// space (a main-effects logistic model): a genome's predicted rate is m = σ(logit p₀ + Σ_g e_g,v(g)).
/// </para>
/// <para>
/// <b>Arm prior.</b> Beta(m·w, (1 − m)·w) with the bounded pseudo-count
/// w = clamp(<see cref="SharedEvidenceOptions.WeightPerExposure"/> · min_g n_g,v(g), MinPriorWeight, MaxPriorWeight): as sure
/// as its least-seen value allows, never surer than MaxPriorWeight exposures. The arm's own successes and failures then update
/// it as usual (<see cref="Posterior"/>), so with enough of its own data an arm is judged by them alone.
/// </para>
/// <para>
/// <b>Caveats.</b> An arm's own outcomes also sit in its genes' counts, so they are counted twice, bounded by the prior
/// weight; the per-value estimates are marginal (not a joint fit), so values that always travel together share credit.
/// Interactions between genes are not modelled: the arm's own data carry them.
/// </para>
/// </summary>
public sealed class SharedEvidenceModel
{
    private readonly long[][] _successes;
    private readonly long[][] _failures;

    public SharedEvidenceModel(GeneSchema schema, SharedEvidenceOptions? options = null)
    {
        Schema = schema ?? throw new ArgumentNullException(nameof(schema));
        Options = options ?? new SharedEvidenceOptions();
        _successes = schema.Genes.Select(g => new long[g.Values.Count]).ToArray();
        _failures = schema.Genes.Select(g => new long[g.Values.Count]).ToArray();
    }

    public GeneSchema Schema { get; }

    public SharedEvidenceOptions Options { get; }

    public long Successes { get; private set; }

    public long Failures { get; private set; }

    /// <summary>The global rate's posterior, Beta(1 + S, 1 + F).</summary>
    public BetaPosterior Global => BetaPosterior.Uniform.Update(Successes, Failures);

    /// <summary>Adds an arm's outcomes to the global and per-value counts.</summary>
    public void Record(Genome genome, long successes, long failures)
    {
        ArgumentNullException.ThrowIfNull(genome);
        if (!ReferenceEquals(genome.Schema, Schema))
        {
            throw new ArgumentException("the genome belongs to another schema", nameof(genome));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(successes);
        ArgumentOutOfRangeException.ThrowIfNegative(failures);
        Successes += successes;
        Failures += failures;
        for (var g = 0; g < Schema.Count; g++)
        {
            _successes[g][genome[g]] += successes;
            _failures[g][genome[g]] += failures;
        }
    }

    /// <summary>The counts of one (gene, value) under a Beta(1, 1) prior.</summary>
    public BetaPosterior ValuePosterior(int gene, int value) =>
        BetaPosterior.Uniform.Update(_successes[gene][value], _failures[gene][value]);

    /// <summary>The (gene, value)'s effect in logit space relative to the global rate, shrunk and clamped.</summary>
    public double Effect(int gene, int value)
    {
        var p0 = Global.Mean;
        return Effect(gene, value, p0, Sampling.Logit(p0));
    }

    /// <summary>The genome's prior: the per-value effects summed in logit space, with a bounded pseudo-count.</summary>
    public BetaPosterior Prior(Genome genome)
    {
        ArgumentNullException.ThrowIfNull(genome);
        var p0 = Global.Mean;
        var logitP0 = Sampling.Logit(p0);
        var logit = logitP0;
        var least = long.MaxValue;
        for (var g = 0; g < Schema.Count; g++)
        {
            var v = genome[g];
            logit += Effect(g, v, p0, logitP0);
            least = Math.Min(least, _successes[g][v] + _failures[g][v]);
        }

        var mean = Math.Clamp(Sampling.Sigmoid(logit), 1e-6, 1 - 1e-6);
        var weight = Math.Clamp(Options.WeightPerExposure * least, Options.MinPriorWeight, Options.MaxPriorWeight);
        return BetaPosterior.FromMean(mean, weight);
    }

    /// <summary>The arm's posterior: its prior updated by its own outcomes.</summary>
    public BetaPosterior Posterior(Genome genome, long successes, long failures) => Prior(genome).Update(successes, failures);

    private double Effect(int gene, int value, double p0, double logitP0)
    {
        var s = _successes[gene][value];
        var n = s + _failures[gene][value];
        var k = Options.Shrinkage;
        var p = (s + k * p0) / (n + k);
        return Math.Clamp(Sampling.Logit(p) - logitP0, -Options.MaxEffect, Options.MaxEffect);
    }
}
