using System.Globalization;
using System.Text;

namespace ViraLoop.Media.Dna;

/// <summary>
/// The narration as a hashed bag of n-grams (block of <see cref="Length"/>): word unigrams and bigrams (weight 1) and
/// character trigrams of each word padded with spaces (weight 0.5), lower-cased and NFKC-normalised, each hashed with
/// 64-bit FNV-1a salted by its kind into a bin and a sign (signed hashing: collisions cancel on average instead of piling
/// up), then L2-normalised. Words are runs of letters, marks and digits, so every script splits the same way.
/// </summary>
public static class ScriptFeatures
{
    public const int Length = 96;

    public static void Compute(string? text, Span<float> block)
    {
        if (block.Length != Length) throw new ArgumentException($"The script block is {Length} long.", nameof(block));
        block.Clear();
        if (string.IsNullOrWhiteSpace(text)) return;
        var words = Words(text.Normalize(NormalizationForm.FormKC).ToLower(CultureInfo.InvariantCulture));
        for (int i = 0; i < words.Count; i++)
        {
            Add(block, 1, words[i], null, 1);
            if (i > 0) Add(block, 2, words[i - 1], words[i], 1);
            var padded = $" {words[i]} ";
            for (int j = 0; j + 3 <= padded.Length; j++) Add(block, 3, padded.Substring(j, 3), null, 0.5f);
        }
        DnaMath.Normalize(block);
    }

    private static List<string> Words(string text)
    {
        var words = new List<string>();
        var sb = new StringBuilder();
        foreach (var rune in text.EnumerateRunes())
        {
            if (Rune.IsLetterOrDigit(rune) || Rune.GetUnicodeCategory(rune) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark)
                sb.Append(rune.ToString());
            else if (sb.Length > 0) { words.Add(sb.ToString()); sb.Clear(); }
        }
        if (sb.Length > 0) words.Add(sb.ToString());
        return words;
    }

    private static void Add(Span<float> block, ulong kind, string a, string? b, float weight)
    {
        ulong h = 14695981039346656037UL ^ (kind * 0x9E3779B97F4A7C15UL);
        h = Fnv(h, a);
        if (b is not null)
        {
            h = (h ^ 0x20) * 1099511628211UL;
            h = Fnv(h, b);
        }
        // Finalise (the low bits of FNV-1a mix poorly for short keys).
        h ^= h >> 33;
        h *= 0xff51afd7ed558ccdUL;
        h ^= h >> 33;
        int bin = (int)(h % Length);
        block[bin] += (h >> 63) == 0 ? weight : -weight;
    }

    private static ulong Fnv(ulong h, string s)
    {
        foreach (var c in s)
        {
            h = (h ^ (byte)c) * 1099511628211UL;
            h = (h ^ (byte)(c >> 8)) * 1099511628211UL;
        }
        return h;
    }
}
