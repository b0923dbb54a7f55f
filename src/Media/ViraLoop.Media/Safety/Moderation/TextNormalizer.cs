using System.Globalization;
using System.Text;

namespace ViraLoop.Media.Safety.Moderation;

/// <summary>
/// A word as the rules see it: its normalised forms (any of which may match), where it is in the original text, and
/// whether it was written capitalised (names), after an @ (handles) or at the start of a sentence.
/// </summary>
internal sealed record NormalizedToken(string[] Forms, string? Stretched, int Start, int End, bool Capitalized, bool Handle, bool SentenceStart)
{
    public int Length => Forms[0].Length;
}

/// <summary>
/// Turns text into the token streams the rules match, undoing the usual evasions: case, diacritics and compatibility
/// forms (fullwidth and "mathematical" letters), Cyrillic and Greek look-alike letters, digit and symbol substitutions
/// (k1ll, $h00t), letters spaced or dotted apart (k i l l, k.i.l.l), stretched letters (kiiiill) and invisible
/// characters between letters. Three streams are matched: words split at every non-letter, chunks split only at white
/// space with symbols decoded and the rest removed, and runs of single letters joined.
/// </summary>
internal static class TextNormalizer
{
    private static readonly Dictionary<char, char> Leet = new()
    {
        ['0'] = 'o', ['1'] = 'i', ['3'] = 'e', ['4'] = 'a', ['5'] = 's', ['7'] = 't', ['8'] = 'b', ['9'] = 'g',
        ['@'] = 'a', ['$'] = 's', ['!'] = 'i', ['|'] = 'l', ['+'] = 't', ['€'] = 'e',
    };

    /// <summary>Cyrillic and Greek letters that look like Latin ones (lower case).</summary>
    private static readonly Dictionary<char, char> LookAlike = new()
    {
        ['а'] = 'a', ['е'] = 'e', ['ё'] = 'e', ['к'] = 'k', ['о'] = 'o', ['р'] = 'p', ['с'] = 'c', ['у'] = 'y', ['х'] = 'x',
        ['і'] = 'i', ['ї'] = 'i', ['ј'] = 'j', ['ѕ'] = 's', ['һ'] = 'h', ['ԁ'] = 'd', ['ԛ'] = 'q', ['ԝ'] = 'w', ['м'] = 'm', ['т'] = 't', ['в'] = 'b', ['н'] = 'h',
        ['α'] = 'a', ['β'] = 'b', ['ε'] = 'e', ['ι'] = 'i', ['κ'] = 'k', ['ν'] = 'v', ['ο'] = 'o', ['ρ'] = 'p', ['τ'] = 't', ['υ'] = 'u', ['χ'] = 'x', ['ω'] = 'w',
    };

    /// <summary>Letters that neither compatibility nor canonical decomposition takes apart.</summary>
    private static readonly Dictionary<char, string> Special = new()
    {
        ['ł'] = "l", ['ø'] = "o", ['đ'] = "d", ['ß'] = "ss", ['æ'] = "ae", ['œ'] = "oe", ['ı'] = "i", ['þ'] = "th", ['ð'] = "d", ['ħ'] = "h",
    };

    /// <summary>The text folded character by character, each folded character with the index of the original it came from.</summary>
    public static (string Folded, int[] Origin) Fold(string text)
    {
        var sb = new StringBuilder(text.Length);
        var origin = new List<int>(text.Length);
        for (var i = 0; i < text.Length;)
        {
            if (!Rune.TryGetRuneAt(text, i, out var rune))
            {
                // A lone surrogate is not a letter: it separates words like a space.
                sb.Append(' ');
                origin.Add(i);
                i++;
                continue;
            }
            var width = rune.Utf16SequenceLength;
            var cat = Rune.GetUnicodeCategory(rune);
            if (cat is UnicodeCategory.Format or UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark)
            {
                // Zero-width characters, soft hyphens, direction marks and stray combining marks vanish between letters.
                i += width;
                continue;
            }
            if (cat is UnicodeCategory.Control) { sb.Append(' '); origin.Add(i); i += width; continue; }
            foreach (var c in FoldRune(rune))
            {
                sb.Append(c);
                origin.Add(i);
            }
            i += width;
        }
        return (sb.ToString(), origin.ToArray());
    }

    private static string FoldRune(Rune rune)
    {
        var s = rune.ToString().Normalize(NormalizationForm.FormKC).Normalize(NormalizationForm.FormD);
        var sb = new StringBuilder(s.Length);
        foreach (var ch in s)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(ch) == UnicodeCategory.NonSpacingMark) continue;
            var lower = char.ToLowerInvariant(ch);
            if (Special.TryGetValue(lower, out var replacement)) sb.Append(replacement);
            else sb.Append(lower);
        }
        return sb.ToString();
    }

    /// <summary>A rule's literal, folded the same way as text (diacritics and case gone).</summary>
    public static string FoldLiteral(string literal) => Fold(literal).Folded;

    private static bool IsWordChar(char c) =>
        char.IsLetterOrDigit(c) || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.SpacingCombiningMark;

    /// <summary>The three token streams of <paramref name="text"/> (see the class summary).</summary>
    public static IReadOnlyList<IReadOnlyList<NormalizedToken>> Streams(string text)
    {
        var (folded, origin) = Fold(text);
        var words = Words(text, folded, origin);
        var chunks = Chunks(text, folded, origin);
        var joined = JoinSingles(text, words);
        var streams = new List<IReadOnlyList<NormalizedToken>> { words };
        // The chunk stream matters only where a chunk is more than one word of the word stream (k.i.l.l, $h00t).
        if (chunks.Count != words.Count || chunks.Where((c, k) => c.Forms[0] != words[k].Forms[0]).Any()) streams.Add(chunks);
        if (joined is not null) streams.Add(joined);
        return streams;
    }

    private static List<NormalizedToken> Words(string text, string folded, int[] origin)
    {
        var tokens = new List<NormalizedToken>();
        for (var i = 0; i < folded.Length;)
        {
            if (!IsWordChar(folded[i])) { i++; continue; }
            var start = i;
            while (i < folded.Length && IsWordChar(folded[i])) i++;
            tokens.Add(Token(text, folded[start..i], origin[start], origin[i - 1] + 1, leet: true));
        }
        return tokens;
    }

    /// <summary>Chunks between white space with symbols decoded (l33t, $) and other non-letters dropped: k.i.l.l → kill.</summary>
    private static List<NormalizedToken> Chunks(string text, string folded, int[] origin)
    {
        var tokens = new List<NormalizedToken>();
        for (var i = 0; i < folded.Length;)
        {
            if (char.IsWhiteSpace(folded[i])) { i++; continue; }
            var start = i;
            while (i < folded.Length && !char.IsWhiteSpace(folded[i])) i++;
            var chunk = folded[start..i];
            if (!chunk.Any(char.IsLetter)) continue;
            var decoded = new StringBuilder(chunk.Length);
            foreach (var c in chunk)
            {
                if (Leet.TryGetValue(c, out var l)) decoded.Append(l);
                else if (IsWordChar(c)) decoded.Append(c);
            }
            if (decoded.Length == 0) continue;
            var first = start;
            while (first < i && !IsWordChar(folded[first]) && !Leet.ContainsKey(folded[first])) first++;
            tokens.Add(Token(text, decoded.ToString(), origin[Math.Min(first, i - 1)], origin[i - 1] + 1, leet: false));
        }
        return tokens;
    }

    /// <summary>The word stream with every run of three or more single letters (k i l l, k-i-l-l) joined into one word; null when there are none.</summary>
    private static List<NormalizedToken>? JoinSingles(string text, List<NormalizedToken> words)
    {
        List<NormalizedToken>? joined = null;
        for (var i = 0; i < words.Count;)
        {
            var j = i;
            // One run: single letters at the same spacing as its first two (a wider gap starts the next word: K I L L  Y O U).
            var spacing = i + 1 < words.Count ? words[i + 1].Start - words[i].End : 0;
            while (j < words.Count && words[j].Length == 1 && (j == i || words[j].Start - words[j - 1].End is var gap && gap <= 3 && gap <= spacing)) j++;
            if (j - i >= 3)
            {
                joined ??= [.. words.Take(i)];
                var letters = string.Concat(words.Skip(i).Take(j - i).Select(w => w.Forms[^1]));
                joined.Add(Token(text, letters, words[i].Start, words[j - 1].End, leet: true));
                i = j;
            }
            else
            {
                joined?.Add(words[i]);
                i++;
            }
        }
        return joined;
    }

    private static NormalizedToken Token(string text, string word, int start, int end, bool leet)
    {
        var forms = new List<string> { word };
        if (leet && word.Any(char.IsLetter) && word.Any(c => Leet.ContainsKey(c)))
        {
            forms.Add(string.Concat(word.Select(c => Leet.GetValueOrDefault(c, c))));
            if (word.Contains('1')) forms.Add(string.Concat(word.Select(c => c == '1' ? 'l' : Leet.GetValueOrDefault(c, c))));
        }
        foreach (var f in forms.ToList())
        {
            var skeleton = string.Concat(f.Select(c => LookAlike.GetValueOrDefault(c, c)));
            if (skeleton != f) forms.Add(skeleton);
        }
        // Stretched letters (three or more of one in a row) also match with every run collapsed to one letter.
        string? stretched = null;
        if (forms.Any(HasStretch)) stretched = Collapse(forms.First(HasStretch));
        var capitalized = start < text.Length && char.IsUpper(text[start]);
        var handle = start > 0 && text[start - 1] == '@';
        var k = start - 1;
        while (k >= 0 && char.IsWhiteSpace(text[k])) k--;
        var sentenceStart = k < 0 || text[k] is '.' or '!' or '?' or '\n' or ':' or '"' or '\u201c';
        return new NormalizedToken(forms.Distinct().ToArray(), stretched, start, end, capitalized, handle, sentenceStart);
    }

    private static bool HasStretch(string s)
    {
        for (var i = 2; i < s.Length; i++)
            if (s[i] == s[i - 1] && s[i] == s[i - 2] && char.IsLetter(s[i])) return true;
        return false;
    }

    /// <summary>Every run of one letter collapsed to one (kiiilll → kil).</summary>
    public static string Collapse(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (var c in s)
            if (sb.Length == 0 || sb[^1] != c) sb.Append(c);
        return sb.ToString();
    }
}
