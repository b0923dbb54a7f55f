using System.Numerics;

namespace ViraLoop.Media.Watermark;

/// <summary>An in-place radix-2 FFT of a square power-of-two grid (row-major), for the sync search's cross-correlation.</summary>
internal static class Fft2D
{
    public static void Transform(Complex[] grid, int n, bool inverse)
    {
        if (grid.Length != n * n || !BitOperations.IsPow2(n)) throw new ArgumentException($"A {n}×{n} power-of-two grid is needed.", nameof(grid));
        var line = new Complex[n];
        for (int r = 0; r < n; r++)
        {
            grid.AsSpan(r * n, n).CopyTo(line);
            Transform1D(line, inverse);
            line.CopyTo(grid.AsSpan(r * n, n));
        }
        for (int c = 0; c < n; c++)
        {
            for (int r = 0; r < n; r++) line[r] = grid[r * n + c];
            Transform1D(line, inverse);
            for (int r = 0; r < n; r++) grid[r * n + c] = line[r];
        }
        if (inverse)
            for (int i = 0; i < grid.Length; i++) grid[i] /= grid.Length;
    }

    private static void Transform1D(Complex[] a, bool inverse)
    {
        int n = a.Length;
        for (int i = 1, j = 0; i < n; i++)
        {
            int bit = n >> 1;
            for (; (j & bit) != 0; bit >>= 1) j ^= bit;
            j ^= bit;
            if (i < j) (a[i], a[j]) = (a[j], a[i]);
        }
        for (int len = 2; len <= n; len <<= 1)
        {
            double angle = 2 * Math.PI / len * (inverse ? 1 : -1);
            var step = new Complex(Math.Cos(angle), Math.Sin(angle));
            for (int i = 0; i < n; i += len)
            {
                var w = Complex.One;
                for (int k = 0; k < len / 2; k++)
                {
                    var u = a[i + k];
                    var v = a[i + k + len / 2] * w;
                    a[i + k] = u + v;
                    a[i + k + len / 2] = u - v;
                    w *= step;
                }
            }
        }
    }
}
