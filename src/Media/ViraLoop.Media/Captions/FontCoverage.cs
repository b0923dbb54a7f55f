using System.Globalization;
using System.Text;
using ViraLoop.Media.Text;

namespace ViraLoop.Media.Captions;

/// <summary>
/// What the installed fonts can draw. libass (captions, thumbnail) falls back through fontconfig to any installed font
/// that has a glyph, so the text is drawable when some outline font has every character. Colour bitmap fonts (Noto
/// Color Emoji) do not count: libass draws outlines only, so emoji come from an outline emoji font (Symbola).
/// Text with characters no installed font has is refused with the Debian package that adds them.
/// </summary>
public static class FontCoverage
{
    /// <summary>The outline emoji font the captions switch to for emoji (libass cannot draw colour bitmap emoji).</summary>
    public const string EmojiFont = "Symbola";

    private static readonly Lazy<CharRanges> Installed = new(() => CharRanges.FromFontconfig(colour: false));

    public static bool Covers(Rune r) => IsInvisible(r) || Installed.Value.Contains(r.Value);

    /// <summary>Joiners, selectors and marks that shape neighbours rather than draw glyphs of their own.</summary>
    public static bool IsInvisible(Rune r) => Rune.IsWhiteSpace(r) || InputText.IsInvisibleSeparator(r) || Emoji.IsModifier(r)
        || r.Value is 0x200C or 0x200E or 0x200F or 0x061C;   // ZWNJ and the direction marks

    public static void Ensure(IEnumerable<string> texts)
    {
        var missing = texts.SelectMany(t => t.EnumerateRunes()).Where(r => !Covers(r)).Distinct().ToList();
        if (missing.Count == 0) return;
        var byPackage = missing.GroupBy(r => PackageFor(r)).ToList();
        var parts = byPackage.Select(g =>
            $"{string.Join(", ", g.Take(4).Select(r => $"'{r}' (U+{r.Value.ToString("X4", CultureInfo.InvariantCulture)})"))}" +
            (g.Key is { } pkg ? $": {ScriptName(g.First())} — install {pkg} (sudo apt-get install -y {pkg}, or scripts/deps.sh media)" : ": no font package known for these"));
        throw new MediaInputException("The text contains characters no installed font can draw: " + string.Join("; ", parts) + ".");
    }

    /// <summary>The Debian package whose fonts draw <paramref name="r"/> (what scripts/deps.sh media installs).</summary>
    public static string? PackageFor(Rune r) => r.Value switch
    {
        _ when Emoji.IsEmoji(r) => "fonts-symbola",
        >= 0x1100 and < 0x1200 => "fonts-noto-cjk",        // Hangul Jamo
        >= 0x2E80 and < 0xA000 => "fonts-noto-cjk",        // CJK, kana, Hangul compatibility
        >= 0xAC00 and < 0xD7B0 => "fonts-noto-cjk",        // Hangul syllables
        >= 0xF900 and < 0xFB00 => "fonts-noto-cjk",
        >= 0xFE30 and < 0xFE50 => "fonts-noto-cjk",
        >= 0xFF00 and < 0xFFF0 => "fonts-noto-cjk",
        >= 0x20000 and < 0x32000 => "fonts-noto-cjk",
        >= 0x0590 and < 0x2000 => "fonts-noto-core",       // Hebrew, Arabic, Indic, Thai, Georgian, Ethiopic, Khmer…
        >= 0xFB1D and < 0xFF00 => "fonts-noto-core",       // Hebrew and Arabic presentation forms
        >= 0x0250 and < 0x0590 => "fonts-dejavu-core",     // IPA, Greek, Cyrillic, Armenian
        >= 0x2000 and < 0x2E80 => "fonts-symbola",         // symbols, arrows, dingbats
        >= 0x10000 and < 0x1F000 => "fonts-noto-extra",    // historic scripts
        >= 0x1F000 and < 0x20000 => "fonts-symbola",
        _ => null,
    };

    private static string ScriptName(Rune r) => r.Value switch
    {
        _ when Emoji.IsEmoji(r) => "emoji",
        >= 0x0590 and < 0x0600 => "Hebrew",
        >= 0x0600 and < 0x0900 => "Arabic",
        >= 0x0900 and < 0x0E00 => "Indic scripts",
        >= 0x0E00 and < 0x0F00 => "Thai/Lao",
        >= 0x3040 and < 0x3100 => "Japanese kana",
        >= 0x2E80 and < 0xA000 => "CJK",
        >= 0xAC00 and < 0xD7B0 => "Korean",
        _ => "these characters",
    };

    /// <summary>Unicode code point ranges, as fontconfig prints a charset ("20-7e a0-17f …").</summary>
    private sealed class CharRanges(List<(int From, int To)> ranges)
    {
        public bool Contains(int cp)
        {
            int lo = 0, hi = ranges.Count - 1;
            while (lo <= hi)
            {
                int mid = (lo + hi) / 2;
                if (cp < ranges[mid].From) hi = mid - 1;
                else if (cp > ranges[mid].To) lo = mid + 1;
                else return true;
            }
            return false;
        }

        public static CharRanges FromFontconfig(bool colour)
        {
            var all = new List<(int, int)>();
            try
            {
                var r = Tools.RunAsync("fc-list", ["--format", "%{color}|%{charset}\n"]).GetAwaiter().GetResult();
                foreach (var line in r.StdOut.Split('\n'))
                {
                    var bar = line.IndexOf('|');
                    if (bar < 0) continue;
                    if (!colour && line[..bar].Contains("True", StringComparison.OrdinalIgnoreCase)) continue;
                    foreach (var part in line[(bar + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
                    {
                        var dash = part.IndexOf('-');
                        if (dash < 0) { if (int.TryParse(part, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var one)) all.Add((one, one)); }
                        else if (int.TryParse(part[..dash], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var a)
                                 && int.TryParse(part[(dash + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var b)) all.Add((a, b));
                    }
                }
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // No fontconfig: Tools.RequireMedia names the package; the fallback below keeps the DejaVu coverage.
            }
            if (all.Count == 0) all.AddRange([(0x20, 0x24F), (0x370, 0x52F), (0x1E00, 0x1EFF), (0x2000, 0x206F), (0x20A0, 0x20BF)]);
            all.Sort();
            var merged = new List<(int From, int To)>();
            foreach (var (a, b) in all)
            {
                if (merged.Count > 0 && a <= merged[^1].To + 1) merged[^1] = (merged[^1].From, Math.Max(merged[^1].To, b));
                else merged.Add((a, b));
            }
            return new CharRanges(merged);
        }
    }
}
