namespace ViraLoop.Grains.Optimisation;

/// <summary>Options for <see cref="SharedEvidenceModel"/>.</summary>
public sealed record SharedEvidenceOptions
{
    /// <summary>
    /// Pseudo-exposures at the base rate (with no effect) added to each (gene, value)'s observed and expected successes
    /// when its effect is fitted: a value seen little has an effect near zero.
    /// </summary>
    public double Shrinkage { get; init; } = 100;

    /// <summary>The most pseudo-exposures an arm's prior may carry, however much the genes have seen.</summary>
    public double MaxPriorWeight { get; init; } = 200;

    /// <summary>The least pseudo-exposures an arm's prior carries (with no evidence at all it is Beta(1, 1)).</summary>
    public double MinPriorWeight { get; init; } = 2;

    /// <summary>The prior's weight is this share of the fewest exposures any of the genome's values has had (then clamped).</summary>
    public double WeightPerExposure { get; init; } = 0.1;

    /// <summary>Each effect is clamped to ± this (log scale), so one noisy value cannot take the prior to 0 or 1.</summary>
    public double MaxEffect { get; init; } = 2;

    /// <summary>Backfitting sweeps over the genes per fit.</summary>
    public int Sweeps { get; init; } = 4;
}

/// <summary>
/// Evidence shared across genes, so that a new genome does not start from nothing.
/// <para>
/// <b>Model.</b> A main-effects log-linear model of an arm's rate: p(genome) = p₀ · exp(Σ_g e_g,v(g)), with one effect per
/// (gene, value). For the small rates of engagement (a few per cent) this is the logistic main-effects model to first order.
/// It is fitted to every arm's outcomes (the model keeps counts per genome) by backfitting, i.e. iterative proportional
/// fitting of a Poisson regression: p₀ makes the predicted total equal the observed total, then for each gene in turn and
/// each of its values, e ← ln((S + k·p₀) / (E₋ + k·p₀)), where S is the observed successes of arms carrying the value, E₋ their
/// expected successes under the other effects, and k = <see cref="SharedEvidenceOptions.Shrinkage"/> pseudo-exposures at zero
/// effect; effects are clamped to ±<see cref="SharedEvidenceOptions.MaxEffect"/>. Fitting jointly, rather than taking each
/// value's marginal rate, matters: Thompson sampling plays good arms more, so a value's marginal rate is confounded by the
/// values it travels with.
/// </para>
/// <para>
/// <b>Arm prior.</b> Beta(m·w, (1 − m)·w) with m = the model's p(genome) (clamped into (0, 1)) and the bounded pseudo-count
/// w = clamp(<see cref="SharedEvidenceOptions.WeightPerExposure"/> · min_g n_g,v(g), MinPriorWeight, MaxPriorWeight): as sure
/// as its least-seen value allows, never surer than MaxPriorWeight exposures. The arm's own successes and failures then update
/// it as usual (<see cref="Posterior"/>), so with enough of its own data an arm is judged by them alone.
/// </para>
/// <para>
/// <b>Caveats.</b> An arm's own outcomes also inform the effects, so they count twice, bounded by the prior weight.
/// Interactions between genes are not modelled: the arm's own data carry them. The fit runs lazily, on the first
/// <see cref="Prior"/> after new outcomes; its cost is sweeps × genes × genomes seen.
/// </para>
/// </summary>
public sealed class SharedEvidenceModel
{
    private readonly long[][] _successes;
    private readonly long[][] _failures;
    private readonly double[][] _effects;
    private readonly Dictionary<Genome, (long Successes, long Failures)> _arms = new();
    private double _base = 0.5;
    private bool _dirty;

    public SharedEvidenceModel(GeneSchema schema, SharedEvidenceOptions? options = null)
    {
        Schema = schema ?? throw new ArgumentNullException(nameof(schema));
        Options = options ?? new SharedEvidenceOptions();
        _successes = schema.Genes.Select(g => new long[g.Values.Count]).ToArray();
        _failures = schema.Genes.Select(g => new long[g.Values.Count]).ToArray();
        _effects = schema.Genes.Select(g => new double[g.Values.Count]).ToArray();
    }

    public GeneSchema Schema { get; }

    public SharedEvidenceOptions Options { get; }

    public long Successes { get; private set; }

    public long Failures { get; private set; }

    /// <summary>The global rate's posterior, Beta(1 + S, 1 + F).</summary>
    public BetaPosterior Global => BetaPosterior.Uniform.Update(Successes, Failures);

    /// <summary>Adds an arm's outcomes.</summary>
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

        _arms.TryGetValue(genome, out var counts);
        _arms[genome] = (counts.Successes + successes, counts.Failures + failures);
        _dirty = true;
    }

    /// <summary>The raw counts of one (gene, value) under a Beta(1, 1) prior.</summary>
    public BetaPosterior ValuePosterior(int gene, int value) =>
        BetaPosterior.Uniform.Update(_successes[gene][value], _failures[gene][value]);

    /// <summary>The fitted effect of a (gene, value) on the log rate (0: no evidence either way).</summary>
    public double Effect(int gene, int value)
    {
        Fit();
        return _effects[gene][value];
    }

    /// <summary>The model's rate for a genome, p₀ · exp(Σ effects), clamped into (0, 1).</summary>
    public double PredictedRate(Genome genome)
    {
        ArgumentNullException.ThrowIfNull(genome);
        Fit();
        return Math.Clamp(_base * Math.Exp(SumEffects(genome)), 1e-6, 1 - 1e-6);
    }

    /// <summary>The genome's prior: the model's rate, with a bounded pseudo-count.</summary>
    public BetaPosterior Prior(Genome genome)
    {
        var mean = PredictedRate(genome);
        var least = long.MaxValue;
        for (var g = 0; g < Schema.Count; g++)
        {
            least = Math.Min(least, _successes[g][genome[g]] + _failures[g][genome[g]]);
        }

        var weight = Math.Clamp(Options.WeightPerExposure * least, Options.MinPriorWeight, Options.MaxPriorWeight);
        return BetaPosterior.FromMean(mean, weight);
    }

    /// <summary>The arm's posterior: its prior updated by its own outcomes.</summary>
    public BetaPosterior Posterior(Genome genome, long successes, long failures) => Prior(genome).Update(successes, failures);

    private double SumEffects(Genome genome)
    {
        var sum = 0.0;
        for (var g = 0; g < Schema.Count; g++)
        {
            sum += _effects[g][genome[g]];
        }

        return sum;
    }

    private void Fit()
    {
        if (!_dirty)
        {
            return;
        }

        _dirty = false;
        var arms = _arms.ToArray();
        var exposures = arms.Select(a => (double)(a.Value.Successes + a.Value.Failures)).ToArray();
        var relative = arms.Select(a => Math.Exp(SumEffects(a.Key))).ToArray();   // exp(Σ e) per arm
        var totalSuccesses = (double)Successes;
        var k = Options.Shrinkage;
        var expected = _effects.Select(e => new double[e.Length]).ToArray();
        for (var sweep = 0; sweep < Options.Sweeps; sweep++)
        {
            // p₀: predicted total = observed total (with half a success of smoothing so that no success yet is not zero).
            var predicted = 0.0;
            for (var i = 0; i < arms.Length; i++)
            {
                predicted += exposures[i] * relative[i];
            }

            _base = Math.Clamp((totalSuccesses + 0.5) / (predicted + 1.0), 1e-6, 1 - 1e-6);
            for (var g = 0; g < Schema.Count; g++)
            {
                var e = _effects[g];
                var ex = expected[g];
                Array.Clear(ex);
                for (var i = 0; i < arms.Length; i++)
                {
                    // Expected successes of the arm without this gene's effect.
                    ex[arms[i].Key[g]] += exposures[i] * _base * relative[i] / Math.Exp(e[arms[i].Key[g]]);
                }

                var old = (double[])e.Clone();
                for (var v = 0; v < e.Length; v++)
                {
                    var prior = k * _base;
                    e[v] = Math.Clamp(Math.Log((_successes[g][v] + prior) / (ex[v] + prior)), -Options.MaxEffect, Options.MaxEffect);
                }

                for (var i = 0; i < arms.Length; i++)
                {
                    var v = arms[i].Key[g];
                    relative[i] *= Math.Exp(e[v] - old[v]);
                }
            }
        }

        var total = 0.0;
        for (var i = 0; i < arms.Length; i++)
        {
            total += exposures[i] * relative[i];
        }

        _base = Math.Clamp((totalSuccesses + 0.5) / (total + 1.0), 1e-6, 1 - 1e-6);
    }
}
