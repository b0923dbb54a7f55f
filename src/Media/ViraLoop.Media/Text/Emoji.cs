using System.Text;
using System.Text.RegularExpressions;

namespace ViraLoop.Media.Text;

/// <summary>
/// Emoji in creators' text: shown in captions and thumbnails (in the outline emoji font), never spoken — espeak-ng and
/// the cloud voices would read "🐙" as "octopus".
/// </summary>
public static class Emoji
{
    /// <summary>Pictographs, symbols drawn as emoji, and regional indicators (flags).</summary>
    public static bool IsEmoji(Rune r) => r.Value switch
    {
        >= 0x1F000 and < 0x1FB00 => true,   // mahjong … symbols and pictographs extended-A (incl. flags' regional indicators)
        >= 0x2600 and < 0x27C0 => true,     // miscellaneous symbols, dingbats
        >= 0x231A and < 0x2400 => r.Value is 0x231A or 0x231B or 0x2328 or 0x23CF or (>= 0x23E9 and <= 0x23F3) or (>= 0x23F8 and <= 0x23FA),
        0x2B05 or 0x2B06 or 0x2B07 or 0x2B1B or 0x2B1C or 0x2B50 or 0x2B55 or 0x3030 or 0x303D or 0x3297 or 0x3299 => true,
        0x203C or 0x2049 or 0x2934 or 0x2935 => true,
        _ => false,
    };

    /// <summary>Code points that only modify the emoji before them (joiner, presentation selectors, skin tones, keycap, tags).</summary>
    public static bool IsModifier(Rune r) => r.Value is 0x200D or 0xFE0E or 0xFE0F or 0x20E3 or (>= 0x1F3FB and <= 0x1F3FF) or (>= 0xE0020 and <= 0xE007F);

    public static bool Contains(string text)
    {
        foreach (var r in text.EnumerateRunes()) if (IsEmoji(r)) return true;
        return false;
    }

    /// <summary>The text a voice reads: emoji and their modifiers removed (and invisible separators), the spaces around them collapsed.</summary>
    public static string StripForSpeech(string text)
    {
        var visible = InputText.WithoutInvisibleSeparators(text);
        if (ReferenceEquals(visible, text) && !Contains(text)) return text;
        var spoken = string.Concat(Runs(visible).Where(r => !r.IsEmoji).Select(r => r.Text));
        spoken = Regex.Replace(spoken, @"[ \t]{2,}", " ");
        return Regex.Replace(spoken, @"[ \t]+([,.!?;:…،؟।。！？])", "$1").Trim();
    }

    /// <summary>The text in runs of emoji (with their modifiers and joiners) and of everything else, in order.</summary>
    public static IEnumerable<(string Text, bool IsEmoji)> Runs(string text)
    {
        var sb = new StringBuilder();
        bool inEmoji = false;
        foreach (var r in text.EnumerateRunes())
        {
            bool emojiPart = IsEmoji(r) || (inEmoji && IsModifier(r));
            if (sb.Length > 0 && emojiPart != inEmoji)
            {
                yield return (sb.ToString(), inEmoji);
                sb.Clear();
            }
            inEmoji = emojiPart;
            sb.Append(r.ToString());
        }
        if (sb.Length > 0) yield return (sb.ToString(), inEmoji);
    }
}
