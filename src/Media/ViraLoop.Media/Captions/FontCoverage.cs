using System.Globalization;
using System.Text;

namespace ViraLoop.Media.Captions;

/// <summary>
/// The caption font (DejaVu Sans Bold) draws Latin (with Polish and other diacritics), Greek and Cyrillic.
/// Text in other scripts is refused with a clear message instead of being burned in as empty boxes.
/// </summary>
public static class FontCoverage
{
    public static bool Covers(Rune r) => r.Value switch
    {
        < 0x0250 => true,               // Basic Latin, Latin-1, Latin Extended-A/B (ąćęłńóśźż…)
        >= 0x0370 and < 0x0530 => true, // Greek, Cyrillic
        >= 0x1E00 and < 0x1F00 => true, // Latin Extended Additional
        >= 0x2000 and < 0x2070 => true, // punctuation
        >= 0x20A0 and < 0x20C0 => true, // currency
        0x2122 or 0x2026 => true,
        _ => false,
    };

    public static void Ensure(IEnumerable<string> texts)
    {
        var missing = texts.SelectMany(t => t.EnumerateRunes()).Where(r => !Covers(r) && !Rune.IsWhiteSpace(r)).Distinct().Take(5).ToList();
        if (missing.Count > 0)
            throw new MediaInputException("The text contains characters the caption font cannot draw: " +
                string.Join(", ", missing.Select(r => $"'{r}' (U+{r.Value.ToString("X4", CultureInfo.InvariantCulture)})")) +
                ". Captions support Latin (including Polish), Greek and Cyrillic letters.");
    }
}
