namespace ViraLoop.Media.Dna;

/// <summary>
/// Colour and motion features of small RGB24 frames sampled at a fixed rate (<see cref="VideoDna.FramesPerSecond"/>).
/// Colour block (96): a joint HSV histogram (40 chromatic bins: 10 hues × 2 saturations × 2 values, plus 8 grey levels for
/// pixels with saturation under 0.15), a 16-bin luma histogram, and four scalars as soft one-hots of 8 (mean luma, luma
/// contrast, mean saturation, spatial detail = mean horizontal luma gradient). Motion block (32): the mean and the standard
/// deviation of the mean absolute luma difference between consecutive samples (soft one-hots of 8), a histogram of those
/// differences over 8 log-spaced bins, and the rate of cuts (differences above 0.12) per second (soft one-hot of 8).
/// </summary>
public static class FrameFeatures
{
    public const int ColourLength = 96;
    public const int MotionLength = 32;
    private const float GreySaturation = 0.15f;
    private const double CutDifference = 0.12;
    private static readonly double[] DiffEdges = [0.002, 0.005, 0.01, 0.02, 0.04, 0.08, 0.16];

    public static void Compute(byte[] rgb, int frames, int width, int height, double fps, Span<float> colour, Span<float> motion)
    {
        if (colour.Length != ColourLength) throw new ArgumentException($"The colour block is {ColourLength} long.", nameof(colour));
        if (motion.Length != MotionLength) throw new ArgumentException($"The motion block is {MotionLength} long.", nameof(motion));
        colour.Clear();
        motion.Clear();
        if (frames <= 0) return;
        int pixels = width * height;
        Span<float> hsv = stackalloc float[48];
        Span<float> luma = stackalloc float[16];
        hsv.Clear();
        luma.Clear();
        double sumLuma = 0, sumLuma2 = 0, sumSat = 0, sumGrad = 0;
        var previous = new float[pixels];
        var current = new float[pixels];
        var diffs = new double[Math.Max(0, frames - 1)];
        for (int f = 0; f < frames; f++)
        {
            var frame = rgb.AsSpan(f * pixels * 3, pixels * 3);
            double frameGrad = 0;
            for (int i = 0; i < pixels; i++)
            {
                int o = i * 3;
                float r = frame[o] / 255f, g = frame[o + 1] / 255f, b = frame[o + 2] / 255f;
                float max = MathF.Max(r, MathF.Max(g, b)), min = MathF.Min(r, MathF.Min(g, b));
                float y = 0.2126f * r + 0.7152f * g + 0.0722f * b;
                current[i] = y;
                float sat = max > 0 ? (max - min) / max : 0;
                if (sat < GreySaturation) hsv[40 + Math.Min(7, (int)(max * 8))]++;
                else
                {
                    float d = max - min, hue;
                    if (max == r) hue = (g - b) / d;
                    else if (max == g) hue = 2 + (b - r) / d;
                    else hue = 4 + (r - g) / d;
                    if (hue < 0) hue += 6;
                    int hb = Math.Min(9, (int)(hue / 6 * 10));
                    int sb = sat < 0.5f ? 0 : 1, vb = max < 0.5f ? 0 : 1;
                    hsv[hb * 4 + sb * 2 + vb]++;
                }
                luma[Math.Min(15, (int)(y * 16))]++;
                sumLuma += y;
                sumLuma2 += y * y;
                sumSat += sat;
                if (i % width != 0) frameGrad += Math.Abs(y - current[i - 1]);
            }
            sumGrad += frameGrad / (pixels - height);
            if (f > 0)
            {
                double diff = 0;
                for (int i = 0; i < pixels; i++) diff += Math.Abs(current[i] - previous[i]);
                diffs[f - 1] = diff / pixels;
            }
            (previous, current) = (current, previous);
        }
        double n = (double)frames * pixels;
        double meanLuma = sumLuma / n;
        double contrast = Math.Sqrt(Math.Max(0, sumLuma2 / n - meanLuma * meanLuma));
        // Colour: the histograms carry most of the block (shares of its squared norm: 0.5, 0.2, 4 × 0.075).
        DnaMath.SqrtNormalize(hsv);
        DnaMath.SqrtNormalize(luma);
        Scale(hsv, 0.5f);
        Scale(luma, 0.2f);
        hsv.CopyTo(colour[..48]);
        luma.CopyTo(colour.Slice(48, 16));
        DnaMath.SoftBin(colour.Slice(64, 8), meanLuma, 0.05, 0.85);
        DnaMath.SoftBin(colour.Slice(72, 8), contrast, 0, 0.35);
        DnaMath.SoftBin(colour.Slice(80, 8), sumSat / n, 0, 0.9);
        DnaMath.SoftBin(colour.Slice(88, 8), sumGrad / frames, 0, 0.12);
        Scale(colour[64..], 0.075f);

        // Motion.
        if (diffs.Length == 0) return;
        double mean = diffs.Average();
        double std = Math.Sqrt(diffs.Sum(d => (d - mean) * (d - mean)) / diffs.Length);
        Span<float> hist = motion.Slice(16, 8);
        foreach (var d in diffs)
        {
            int bin = 0;
            while (bin < DiffEdges.Length && d >= DiffEdges[bin]) bin++;
            hist[bin]++;
        }
        double cutsPerSecond = diffs.Count(d => d > CutDifference) / (diffs.Length / fps);
        DnaMath.SoftBin(motion[..8], mean, 0, 0.1);
        DnaMath.SoftBin(motion.Slice(8, 8), std, 0, 0.06);
        DnaMath.SqrtNormalize(hist);
        DnaMath.SoftBin(motion.Slice(24, 8), cutsPerSecond, 0, 1);
        Scale(motion, 0.25f);
    }

    /// <summary>Scales a unit sub-block so its squared norm is <paramref name="share"/>.</summary>
    private static void Scale(Span<float> v, float share)
    {
        float f = MathF.Sqrt(share);
        for (int i = 0; i < v.Length; i++) v[i] *= f;
    }
}
