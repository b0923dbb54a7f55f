using System.Numerics;
using System.Runtime.InteropServices;

namespace ViraLoop.Media.Dna;

/// <summary>The vector arithmetic the DNA and its index share: dot products, L2 norms, soft binning.</summary>
public static class DnaMath
{
    /// <summary>The dot product of two equal-length spans (SIMD, two accumulators).</summary>
    public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length) throw new ArgumentException($"Lengths differ: {a.Length} and {b.Length}.", nameof(b));
        var va = MemoryMarshal.Cast<float, Vector<float>>(a);
        var vb = MemoryMarshal.Cast<float, Vector<float>>(b);
        var acc0 = Vector<float>.Zero;
        var acc1 = Vector<float>.Zero;
        int i = 0;
        for (; i + 1 < va.Length; i += 2)
        {
            acc0 += va[i] * vb[i];
            acc1 += va[i + 1] * vb[i + 1];
        }
        if (i < va.Length) acc0 += va[i] * vb[i];
        float sum = Vector.Sum(acc0 + acc1);
        for (int j = va.Length * Vector<float>.Count; j < a.Length; j++) sum += a[j] * b[j];
        return sum;
    }

    /// <summary>Cosine similarity; 0 when either vector is zero.</summary>
    public static float Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        float na = MathF.Sqrt(Dot(a, a)), nb = MathF.Sqrt(Dot(b, b));
        return na == 0 || nb == 0 ? 0 : Dot(a, b) / (na * nb);
    }

    /// <summary>Scales <paramref name="v"/> in place to unit length, then by <paramref name="scale"/>; a zero vector stays zero. Returns the norm it had.</summary>
    public static float Normalize(Span<float> v, float scale = 1)
    {
        float norm = MathF.Sqrt(Dot(v, v));
        if (norm > 0)
        {
            float f = scale / norm;
            for (int i = 0; i < v.Length; i++) v[i] *= f;
        }
        return norm;
    }

    /// <summary>
    /// Writes <paramref name="value"/> as a soft one-hot over <c>dst.Length</c> bin centres spread evenly from
    /// <paramref name="lo"/> to <paramref name="hi"/> (Gaussian kernel, σ = one bin spacing; values outside clamp to the ends),
    /// unit length: two values one spacing apart have cosine ≈ 0.78, two spacings apart ≈ 0.37, so nearby values stay alike
    /// and distant ones fall away — a scalar that cosine similarity can compare.
    /// </summary>
    public static void SoftBin(Span<float> dst, double value, double lo, double hi)
    {
        int n = dst.Length;
        double spacing = (hi - lo) / (n - 1);
        double v = double.IsFinite(value) ? Math.Clamp(value, lo, hi) : lo;
        for (int i = 0; i < n; i++)
        {
            double z = (v - (lo + i * spacing)) / spacing;
            dst[i] = (float)Math.Exp(-0.5 * z * z);
        }
        Normalize(dst);
    }

    /// <summary>Element-wise square root (a histogram's Hellinger embedding: cosine of two becomes the Bhattacharyya coefficient), then unit length.</summary>
    public static void SqrtNormalize(Span<float> v)
    {
        for (int i = 0; i < v.Length; i++) v[i] = MathF.Sqrt(Math.Max(0, v[i]));
        Normalize(v);
    }
}
