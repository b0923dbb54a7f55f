using System.Diagnostics;
using System.Globalization;
using ViraLoop.Grains.Optimisation;

namespace ViraLoop.Bench;

/// <summary>
/// Issue 8: regret of the optimisation loop's allocation policies, simulated offline (no cluster).
/// (a) Thompson sampling (Beta(1, 1)) vs ε-greedy (ε = 0.1) vs UCB1 on 10 Bernoulli arms with rates evenly spaced from 1 % to
/// 8 %; targets TS ≤ 0.5× ε-greedy and ≤ 0.2× UCB1. (b) Genomes whose rates come from hidden per-gene effects (a logistic
/// main-effects model): Thompson with the shared per-gene evidence prior vs independent Beta(1, 1) Thompson; target shared ≤
/// 0.5× independent. Regret is the expected (pseudo-)regret Σ (p* − p_chosen) over the impressions; each seed is one run.
/// </summary>
public static class BanditBench
{
    public static void Run(string[] args)
    {
        var inv = CultureInfo.InvariantCulture;
        int Arg(string name, int fallback)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 ? int.Parse(args[i + 1], inv) : fallback;
        }

        var impressions = Arg("--impressions", 100_000);
        var seeds = Arg("--seeds", 20);
        var genomes = Arg("--genomes", 120);
        var total = Stopwatch.StartNew();

        var rates = Enumerable.Range(0, 10).Select(i => 0.01 + 0.07 * i / 9).ToArray();
        var policies = new (string Name, Func<IBanditPolicy> Make)[]
        {
            ("Thompson sampling, Beta(1,1)", () => new ThompsonSampling()),
            ("ε-greedy, ε = 0.1", () => new EpsilonGreedy(0.1)),
            ("UCB1", () => new Ucb1()),
        };
        var partA = new List<(string Name, double[] Regret, double BestShare, double Seconds)>();
        foreach (var (name, make) in policies)
        {
            var sw = Stopwatch.StartNew();
            var regret = new double[seeds];
            var best = 0.0;
            for (var s = 0; s < seeds; s++)
            {
                (regret[s], var share) = Independent(make(), rates, impressions, s);
                best += share / seeds;
            }

            partA.Add((name, regret, best, sw.Elapsed.TotalSeconds));
            Console.Error.WriteLine($"  (a) {name}: {sw.Elapsed.TotalSeconds:F1} s");
        }

        var partB = new List<(string Name, double[] Regret, double BestShare, double Seconds)>();
        var spread = new List<double>();
        foreach (var shared in new[] { true, false })
        {
            var sw = Stopwatch.StartNew();
            var regret = new double[seeds];
            var best = 0.0;
            for (var s = 0; s < seeds; s++)
            {
                var (genomeList, genomeRates) = GenomeProblem(genomes, s);
                if (shared)
                {
                    spread.Add(genomeRates.Min());
                    spread.Add(genomeRates.Max());
                }

                (regret[s], var share) = shared
                    ? Shared(genomeList, genomeRates, impressions, s)
                    : Independent(new ThompsonSampling(), genomeRates, impressions, s);
                best += share / seeds;
            }

            partB.Add((shared ? "Thompson, shared per-gene evidence prior" : "Thompson, independent Beta(1,1)", regret, best, sw.Elapsed.TotalSeconds));
            Console.Error.WriteLine($"  (b) shared={shared}: {sw.Elapsed.TotalSeconds:F1} s");
        }

        Console.WriteLine($"{impressions:N0} impressions, {seeds} seeds (0…{seeds - 1}); regret = Σ (p* − p_chosen), expected conversions lost.");
        Console.WriteLine();
        Console.WriteLine("(a) 10 Bernoulli arms, rates 1 %, 1.78 %, …, 8 %");
        Console.WriteLine();
        Table(partA);
        var ts = partA[0].Regret.Average();
        var eg = partA[1].Regret.Average();
        var ucb = partA[2].Regret.Average();
        Console.WriteLine();
        Console.WriteLine($"TS / ε-greedy = {ts / eg:F3} (target ≤ 0.5: {(ts <= 0.5 * eg ? "met" : "missed")}); " +
                          $"TS / UCB1 = {ts / ucb:F3} (target ≤ 0.2: {(ts <= 0.2 * ucb ? "met" : "missed")})");
        Console.WriteLine();
        Console.WriteLine($"(b) {genomes} genomes of the default schema, rates from hidden per-gene effects " +
                          $"(logit 3 % + Σ N(0, 0.35²) per value; rates {spread.Min():P2}…{spread.Max():P2} over the seeds)");
        Console.WriteLine();
        Table(partB);
        var sh = partB[0].Regret.Average();
        var ind = partB[1].Regret.Average();
        Console.WriteLine();
        Console.WriteLine($"shared / independent = {sh / ind:F3} (target ≤ 0.5: {(sh <= 0.5 * ind ? "met" : "missed")})");
        Console.WriteLine();
        Console.WriteLine($"total {total.Elapsed.TotalSeconds:F1} s");
    }

    private static void Table(List<(string Name, double[] Regret, double BestShare, double Seconds)> rows)
    {
        Console.WriteLine("| policy | mean regret | sd | min–max | impressions on the best arm | time |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- |");
        foreach (var (name, regret, best, seconds) in rows)
        {
            var mean = regret.Average();
            var sd = Math.Sqrt(regret.Sum(r => (r - mean) * (r - mean)) / Math.Max(1, regret.Length - 1));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {mean:F1} | {sd:F1} | {regret.Min():F1}–{regret.Max():F1} | {best:P1} | {seconds:F1} s |"));
        }
    }

    /// <summary>One run of a policy over arms with Beta(1, 1) evidence: (regret, share of impressions on the best arm).</summary>
    private static (double Regret, double BestShare) Independent(IBanditPolicy policy, double[] rates, int impressions, int seed)
    {
        var world = new Random(seed * 7919 + 1);
        var random = new Random(seed * 104729 + 2);
        var arms = new ArmEvidence[rates.Length];
        for (var i = 0; i < arms.Length; i++)
        {
            arms[i] = ArmEvidence.Independent(0, 0);
        }

        var best = rates.Max();
        var bestIndex = Array.IndexOf(rates, best);
        double regret = 0;
        var onBest = 0;
        for (var t = 0; t < impressions; t++)
        {
            var a = policy.Choose(arms, random);
            regret += best - rates[a];
            onBest += a == bestIndex ? 1 : 0;
            var success = world.NextDouble() < rates[a];
            var e = arms[a];
            arms[a] = ArmEvidence.Independent(e.Successes + (success ? 1 : 0), e.Failures + (success ? 0 : 1));
        }

        return (regret, onBest / (double)impressions);
    }

    /// <summary>One run of Thompson sampling whose arm priors come from <see cref="SharedEvidenceModel"/> (refreshed every 100 impressions).</summary>
    private static (double Regret, double BestShare) Shared(Genome[] genomes, double[] rates, int impressions, int seed)
    {
        const int refresh = 100;
        var world = new Random(seed * 7919 + 1);
        var random = new Random(seed * 104729 + 2);
        var model = new SharedEvidenceModel(GeneSchema.Default);
        var policy = new ThompsonSampling();
        var successes = new long[genomes.Length];
        var failures = new long[genomes.Length];
        var priors = new BetaPosterior[genomes.Length];
        var arms = new ArmEvidence[genomes.Length];
        var best = rates.Max();
        var bestIndex = Array.IndexOf(rates, best);
        double regret = 0;
        var onBest = 0;
        for (var t = 0; t < impressions; t++)
        {
            if (t % refresh == 0)
            {
                for (var i = 0; i < genomes.Length; i++)
                {
                    priors[i] = model.Prior(genomes[i]);
                    arms[i] = new ArmEvidence(successes[i], failures[i], priors[i].Update(successes[i], failures[i]));
                }
            }

            var a = policy.Choose(arms, random);
            regret += best - rates[a];
            onBest += a == bestIndex ? 1 : 0;
            var success = world.NextDouble() < rates[a];
            successes[a] += success ? 1 : 0;
            failures[a] += success ? 0 : 1;
            arms[a] = new ArmEvidence(successes[a], failures[a], priors[a].Update(successes[a], failures[a]));
            model.Record(genomes[a], success ? 1 : 0, success ? 0 : 1);
        }

        return (regret, onBest / (double)impressions);
    }

    /// <summary>Distinct random genomes and their rates σ(logit 3 % + Σ effect(gene, value)), effects N(0, 0.35²), from the seed.</summary>
    private static (Genome[] Genomes, double[] Rates) GenomeProblem(int count, int seed)
    {
        var schema = GeneSchema.Default;
        var random = new Random(seed * 31337 + 3);
        var effects = schema.Genes.Select(g => g.Values.Select(_ => 0.35 * Sampling.StandardNormal(random)).ToArray()).ToArray();
        var set = new HashSet<Genome>();
        while (set.Count < count)
        {
            set.Add(schema.RandomGenome(random));
        }

        var genomes = set.ToArray();
        var baseLogit = Sampling.Logit(0.03);
        var rates = genomes.Select(g => Sampling.Sigmoid(baseLogit + Enumerable.Range(0, schema.Count).Sum(i => effects[i][g[i]]))).ToArray();
        return (genomes, rates);
    }
}
