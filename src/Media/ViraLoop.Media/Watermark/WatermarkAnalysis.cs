using System.Numerics;

namespace ViraLoop.Media.Watermark;

/// <summary>
/// A video reduced to what the detector needs, independent of any key: the high-pass residual of its luma, averaged over
/// the frames read (the static pattern adds up, the moving picture does not), and that residual folded onto one tile at
/// every scale searched. <see cref="Detect"/> then tries a key; one analysis serves many keys (the false-positive sweep).
/// </summary>
public sealed class WatermarkAnalysis
{
    /// <summary>
    /// Sync strength (z-score of the best cross-correlation peak over every scale and offset) at or above which a payload is
    /// believed (and then only with a matching CRC). Over 1,000 random keys: unmarked renders at most 6.1σ; a marked master
    /// under wrong keys at most 6.9σ (its strong pattern lifts chance correlations); attacked marked copies 9–22σ
    /// (bench/RESULTS.md). Below it the fine search and the decoding are skipped.
    /// </summary>
    public const double SyncThreshold = 8.0;

    public const double MinScale = 0.8, MaxScale = 1.25;
    private const double ScaleStep = 1.005;
    private const int Bins = 2 * WatermarkLayout.Cells; // two folding bins per cell

    private readonly float[] _residual;
    private readonly Lazy<Folded[]> _folded;

    private sealed record Folded(double Scale, Complex[] Spectrum);

    /// <param name="residual">The averaged residual, <paramref name="width"/> × <paramref name="height"/>, row-major.</param>
    internal WatermarkAnalysis(float[] residual, int width, int height, int framesUsed)
    {
        if (residual.Length != width * height) throw new ArgumentException("The residual is not width × height.", nameof(residual));
        _residual = residual;
        Width = width;
        Height = height;
        FramesUsed = framesUsed;
        _folded = new Lazy<Folded[]>(FoldAll, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public int Width { get; }
    public int Height { get; }
    public int FramesUsed { get; }

    /// <summary>A tile's side in analysis pixels at scale 1 (a quarter of the height).</summary>
    private double NominalTile => (double)Height / WatermarkLayout.TilesPerHeight;

    /// <summary>Looks for <paramref name="key"/>'s watermark: the sync search over scale and offset, then the payload.</summary>
    public WatermarkDetection Detect(WatermarkKey key)
    {
        var layout = new WatermarkLayout(key);
        var template = new Complex[Bins * Bins];
        for (int c = 0; c < WatermarkLayout.CellCount; c++)
        {
            if (layout.Sync[c] == 0) continue;
            int row = 2 * (c / WatermarkLayout.Cells), col = 2 * (c % WatermarkLayout.Cells);
            for (int dy = 0; dy < 2; dy++)
                for (int dx = 0; dx < 2; dx++) template[(row + dy) * Bins + col + dx] = layout.Sync[c];
        }
        Fft2D.Transform(template, Bins, inverse: false);

        // Coarse: every scale, every offset (in half cells) by FFT cross-correlation with the sync cells.
        double bestZ = double.NegativeInfinity, bestScale = 1;
        int bestDx = 0, bestDy = 0;
        var product = new Complex[Bins * Bins];
        foreach (var f in _folded.Value)
        {
            for (int i = 0; i < product.Length; i++) product[i] = f.Spectrum[i] * Complex.Conjugate(template[i]);
            Fft2D.Transform(product, Bins, inverse: true);
            double sum = 0, sum2 = 0, max = double.NegativeInfinity;
            int arg = 0;
            for (int i = 0; i < product.Length; i++)
            {
                double v = product[i].Real;
                sum += v;
                sum2 += v * v;
                if (v > max) { max = v; arg = i; }
            }
            double mean = sum / product.Length, sd = Math.Sqrt(Math.Max(1e-30, sum2 / product.Length - mean * mean));
            double z = (max - mean) / sd;
            if (z > bestZ) (bestZ, bestScale, bestDx, bestDy) = (z, f.Scale, arg % Bins, arg / Bins);
        }
        if (bestZ < SyncThreshold) return new WatermarkDetection(false, null, 0, bestZ, bestScale, FramesUsed);

        // Fine: climb on scale and phase, scoring the sync cells' matched-filter values.
        var p = new Pose(bestScale, (double)bestDx / Bins, (double)bestDy / Bins);
        var cells = Extract(p);
        double score = SyncScore(layout, cells);
        double scaleStep = 0.003, phaseStep = 0.25 / WatermarkLayout.Cells;
        for (int round = 0; round < 4; round++)
        {
            bool moved = true;
            for (int guard = 0; moved && guard < 20; guard++)
            {
                moved = false;
                foreach (var q in new[]
                {
                    p with { Scale = p.Scale * (1 + scaleStep) }, p with { Scale = p.Scale * (1 - scaleStep) },
                    p with { PhaseX = p.PhaseX + phaseStep }, p with { PhaseX = p.PhaseX - phaseStep },
                    p with { PhaseY = p.PhaseY + phaseStep }, p with { PhaseY = p.PhaseY - phaseStep },
                })
                {
                    var qc = Extract(q);
                    double qs = SyncScore(layout, qc);
                    if (qs > score) (p, cells, score, moved) = (q, qc, qs, true);
                }
            }
            scaleStep /= 2;
            phaseStep /= 2;
        }

        var soft = new double[PayloadCode.CodedBits];
        for (int c = 0; c < WatermarkLayout.CellCount; c++)
            if (layout.Bit[c] >= 0) soft[layout.Bit[c]] += layout.Chip[c] * cells[c];
        bool crcOk = PayloadCode.TryDecode(soft, out var payload, out var info);
        var recoded = PayloadCode.Convolve(info);
        double accuracy = (double)recoded.Where((b, i) => b == soft[i] > 0).Count() / recoded.Length;
        bool found = crcOk;
        return new WatermarkDetection(found, found ? payload : null, accuracy, bestZ, p.Scale, FramesUsed) { SoftBits = soft };
    }

    /// <summary>Where the tiles lie: their size (against <see cref="NominalTile"/>) and the tile phase at the image's centre.</summary>
    private sealed record Pose(double Scale, double PhaseX, double PhaseY);

    /// <summary>Normalised correlation of the sync cells' values with their signs, times √(sync cells): a t-like score.</summary>
    private static double SyncScore(WatermarkLayout layout, double[] cells)
    {
        double dot = 0, energy = 0;
        for (int c = 0; c < cells.Length; c++)
        {
            if (layout.Sync[c] == 0) continue;
            dot += layout.Sync[c] * cells[c];
            energy += cells[c] * cells[c];
        }
        return energy > 0 ? dot / Math.Sqrt(energy) : 0;
    }

    /// <summary>Each cell's amplitude, estimated over every tile in the picture by a matched filter of the cell shape.</summary>
    private double[] Extract(Pose p)
    {
        double cellPx = NominalTile * p.Scale / WatermarkLayout.Cells;
        (int[] Cell, double[] W) Axis(int n, double phase)
        {
            var cell = new int[n];
            var w = new double[n];
            for (int i = 0; i < n; i++)
            {
                double u = (i + 0.5 - n / 2.0) / cellPx - phase * WatermarkLayout.Cells;
                double whole = Math.Floor(u);
                cell[i] = (int)(((long)whole % WatermarkLayout.Cells + WatermarkLayout.Cells) % WatermarkLayout.Cells);
                w[i] = WatermarkLayout.Shape(u - whole);
            }
            return (cell, w);
        }
        var (cx, wx) = Axis(Width, p.PhaseX);
        var (cy, wy) = Axis(Height, p.PhaseY);
        var num = new double[WatermarkLayout.CellCount];
        var den = new double[WatermarkLayout.CellCount];
        for (int y = 0; y < Height; y++)
        {
            int row = cy[y] * WatermarkLayout.Cells, o = y * Width;
            double ay = wy[y];
            for (int x = 0; x < Width; x++)
            {
                double w = ay * wx[x];
                int c = row + cx[x];
                num[c] += w * _residual[o + x];
                den[c] += w * w;
            }
        }
        for (int c = 0; c < num.Length; c++) num[c] = den[c] > 0 ? num[c] / den[c] : 0;
        return num;
    }

    /// <summary>The residual folded onto one tile (two bins per cell, phase measured from the image's centre) at every scale, as spectra.</summary>
    private Folded[] FoldAll()
    {
        var scales = new List<double>();
        for (double s = MinScale; s <= MaxScale * 1.0001; s *= ScaleStep) scales.Add(s);
        var result = new Folded[scales.Count];
        Parallel.For(0, scales.Count, k =>
        {
            double tile = NominalTile * scales[k];
            int[] Bin(int n)
            {
                var b = new int[n];
                for (int i = 0; i < n; i++)
                {
                    double u = (i + 0.5 - n / 2.0) / tile;
                    b[i] = (int)((u - Math.Floor(u)) * Bins) & (Bins - 1);
                }
                return b;
            }
            var bx = Bin(Width);
            var by = Bin(Height);
            var sum = new double[Bins * Bins];
            var count = new int[Bins * Bins];
            for (int y = 0; y < Height; y++)
            {
                int row = by[y] * Bins, o = y * Width;
                for (int x = 0; x < Width; x++)
                {
                    sum[row + bx[x]] += _residual[o + x];
                    count[row + bx[x]]++;
                }
            }
            double mean = 0;
            for (int i = 0; i < sum.Length; i++) mean += sum[i] = count[i] > 0 ? sum[i] / count[i] : 0;
            mean /= sum.Length;
            var spectrum = new Complex[Bins * Bins];
            for (int i = 0; i < sum.Length; i++) spectrum[i] = sum[i] - mean;
            Fft2D.Transform(spectrum, Bins, inverse: false);
            result[k] = new Folded(scales[k], spectrum);
        });
        return result;
    }
}
