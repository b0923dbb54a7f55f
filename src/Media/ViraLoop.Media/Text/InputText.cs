using System.Globalization;
using System.Text;

namespace ViraLoop.Media.Text;

/// <summary>
/// What a creator's text may contain. Any script, mixed directions, emoji and the joiners scripts need (ZWJ, ZWNJ, the
/// direction marks LRM/RLM/ALM) are fine; control characters and explicit direction overrides/isolates (which make a
/// caption show other than what the voice says) are refused with the character and where it is. Invisible separators
/// (zero-width space, BOM, word joiner, soft hyphen) are harmless: words split at a zero-width space, voices skip them.
/// </summary>
public static class InputText
{
    public static void Check(VideoRequest request)
    {
        Check("The topic", request.Topic, multiline: false);
        if (request.Text is { } text) Check("The text", text, multiline: true);
        if (request.Scenes is { } scenes)
            for (int i = 0; i < scenes.Count; i++)
            {
                Check($"Scene {i + 1}", scenes[i].Text, multiline: false);
                foreach (var k in scenes[i].Keywords ?? []) Check($"Scene {i + 1}'s keyword", k, multiline: false);
            }
    }

    public static void Check(string field, string? value, bool multiline)
    {
        if (value is null) return;
        int index = 0;
        foreach (var r in value.EnumerateRunes())
        {
            if (Refused(r, multiline) is { } what)
                throw new MediaInputException($"{field} contains {what} (U+{r.Value.ToString("X4", CultureInfo.InvariantCulture)}) at character {index + 1}; remove it.");
            index += r.Utf16SequenceLength;
        }
    }

    private static string? Refused(Rune r, bool multiline) => r.Value switch
    {
        '\n' or '\r' or '\t' when multiline => null,
        '\t' => null,
        >= 0x202A and <= 0x202E => "a direction override",
        >= 0x2066 and <= 0x2069 => "a direction isolate",
        _ when Rune.GetUnicodeCategory(r) == UnicodeCategory.Control => "a control character",
        >= 0xFFF9 and <= 0xFFFB => "an interlinear annotation character",
        _ => null,
    };

    /// <summary>Invisible characters that carry no sound and no glyph: dropped from what is spoken and measured.</summary>
    public static bool IsInvisibleSeparator(Rune r) => r.Value is 0x200B or 0xFEFF or 0x2060 or 0x00AD;

    /// <summary>The text with a zero-width space made a space, and a BOM, word joiner or soft hyphen dropped.</summary>
    public static string WithoutInvisibleSeparators(string text) =>
        text.AsSpan().IndexOfAny("\u200B\uFEFF\u2060\u00AD") < 0 ? text
            : text.Replace('\u200B', ' ').Replace("\uFEFF", "").Replace("\u2060", "").Replace("\u00AD", "");
}
