using System.Globalization;

namespace ViraLoop.Media.Visuals;

public readonly record struct Rgb(byte R, byte G, byte B)
{
    public static Rgb Parse(string hex) => new(
        byte.Parse(hex.AsSpan(1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture),
        byte.Parse(hex.AsSpan(3, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture),
        byte.Parse(hex.AsSpan(5, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));

    public string Hex => $"#{R:X2}{G:X2}{B:X2}";

    public Rgb Scale(double f) => new((byte)Math.Clamp(R * f, 0, 255), (byte)Math.Clamp(G * f, 0, 255), (byte)Math.Clamp(B * f, 0, 255));

    /// <summary>Rotates the hue by <paramref name="degrees"/> keeping lightness and saturation.</summary>
    public Rgb RotateHue(double degrees)
    {
        double r = R / 255.0, g = G / 255.0, b = B / 255.0;
        double max = Math.Max(r, Math.Max(g, b)), min = Math.Min(r, Math.Min(g, b)), l = (max + min) / 2, h = 0, s = 0;
        if (max > min)
        {
            double d = max - min;
            s = l > 0.5 ? d / (2 - max - min) : d / (max + min);
            h = max == r ? (g - b) / d + (g < b ? 6 : 0) : max == g ? (b - r) / d + 2 : (r - g) / d + 4;
            h /= 6;
        }
        h = ((h + degrees / 360.0) % 1 + 1) % 1;
        double Hue(double p, double q, double t)
        {
            t = (t % 1 + 1) % 1;
            return t < 1.0 / 6 ? p + (q - p) * 6 * t : t < 0.5 ? q : t < 2.0 / 3 ? p + (q - p) * (2.0 / 3 - t) * 6 : p;
        }
        if (s == 0) return this;
        double q2 = l < 0.5 ? l * (1 + s) : l + s - l * s, p2 = 2 * l - q2;
        return new((byte)(Hue(p2, q2, h + 1.0 / 3) * 255), (byte)(Hue(p2, q2, h) * 255), (byte)(Hue(p2, q2, h - 1.0 / 3) * 255));
    }
}

/// <summary>Colours of a video; each scene shifts the hue so cuts are visible.</summary>
public sealed record Palette(string Name, IReadOnlyList<Rgb> Colors)
{
    public static readonly IReadOnlyDictionary<string, Palette> Named = new Dictionary<string, Palette>(StringComparer.OrdinalIgnoreCase)
    {
        ["sunset"] = Make("sunset", "#FF5F6D", "#FFC371", "#7B2FF7", "#2B1055"),
        ["ocean"] = Make("ocean", "#0F2027", "#2C5364", "#00C9FF", "#92FE9D"),
        ["neon"] = Make("neon", "#12C2E9", "#C471ED", "#F64F59", "#1A1A40"),
        ["forest"] = Make("forest", "#134E5E", "#71B280", "#E9D362", "#0B2A1F"),
        ["mono"] = Make("mono", "#1C1D1F", "#414345", "#BDC3C7", "#F5F7FA"),
    };

    private static Palette Make(string name, params string[] hex) => new(name, hex.Select(Rgb.Parse).ToList());

    public static Palette Resolve(string? name, int seed)
    {
        if (name is null) return Named.Values.ElementAt(seed % (Named.Count - 1)); // colourful ones only; "mono" is asked for by name
        return Named.TryGetValue(name, out var p) ? p
            : throw new MediaInputException($"Unknown palette '{name}'. Known: {string.Join(", ", Named.Keys)}.");
    }

    public Palette ForScene(int index) => index == 0 ? this : this with { Colors = Colors.Select(c => c.RotateHue(index * 47)).ToList() };

    /// <summary>A cyclic lookup table of <paramref name="size"/> colours blended between the palette's stops.</summary>
    public Rgb[] Lut(int size = 1024)
    {
        var lut = new Rgb[size];
        int n = Colors.Count;
        for (int i = 0; i < size; i++)
        {
            double p = (double)i / size * n;
            int a = (int)p % n, b = (a + 1) % n;
            double f = p - Math.Floor(p);
            f = f * f * (3 - 2 * f);
            var ca = Colors[a];
            var cb = Colors[b];
            lut[i] = new((byte)(ca.R + (cb.R - ca.R) * f), (byte)(ca.G + (cb.G - ca.G) * f), (byte)(ca.B + (cb.B - ca.B) * f));
        }
        return lut;
    }
}
