namespace ViraLoop.Media.Dna;

/// <summary>
/// Seeded synthetic DNA-like vectors for index tests and benchmarks: clustered, not uniform. There are
/// <c>count / pointsPerCluster</c> cluster centres (random unit directions: topics); a point is its centre plus a
/// variation in a 16-dimensional subspace shared by every cluster (the ways videos of a topic differ: palette, pace,
/// loudness), of norm about 0.4 × the cluster's spread (0.5–1.5, drawn per cluster), plus isotropic noise of norm 0.15.
/// </summary>
public sealed class ClusteredVectors
{
    private const int Latent = 16;
    private readonly float[][] _centres;
    private readonly float[] _spread;
    private readonly float[][] _basis;
    private readonly int _dimension;

    public ClusteredVectors(int dimension, int clusters, int seed)
    {
        _dimension = dimension;
        var random = new Random(seed);
        _centres = new float[clusters][];
        _spread = new float[clusters];
        for (int c = 0; c < clusters; c++)
        {
            _centres[c] = Gaussian(random, dimension, 1);
            DnaMath.Normalize(_centres[c]);
            _spread[c] = 0.5f + (float)random.NextDouble();
        }
        _basis = new float[Latent][];
        for (int j = 0; j < Latent; j++) _basis[j] = Gaussian(random, dimension, 1 / MathF.Sqrt(dimension));
    }

    /// <summary><paramref name="count"/> unit vectors drawn with <paramref name="seed"/>.</summary>
    public float[][] Sample(int count, int seed)
    {
        var random = new Random(seed);
        var result = new float[count][];
        for (int i = 0; i < count; i++)
        {
            int c = random.Next(_centres.Length);
            var v = Gaussian(random, _dimension, 0.15f / MathF.Sqrt(_dimension));
            var centre = _centres[c];
            for (int d = 0; d < _dimension; d++) v[d] += centre[d];
            float scale = 0.1f * _spread[c];
            for (int j = 0; j < Latent; j++)
            {
                float z = (float)Normal(random) * scale;
                var b = _basis[j];
                for (int d = 0; d < _dimension; d++) v[d] += z * b[d];
            }
            DnaMath.Normalize(v);
            result[i] = v;
        }
        return result;
    }

    private static float[] Gaussian(Random random, int n, float sigma)
    {
        var v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float)Normal(random) * sigma;
        return v;
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
