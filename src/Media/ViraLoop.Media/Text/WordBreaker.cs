using System.Runtime.InteropServices;
using System.Text;

namespace ViraLoop.Media.Text;

/// <summary>
/// Words and line-break opportunities in any script. Languages that separate words by spaces are split on them (each
/// word keeps its punctuation, as the captions show it); Chinese, Japanese, Thai and the other unspaced scripts are
/// segmented by ICU's dictionary-based word break iterator, the same libicu .NET itself uses on Linux.
/// </summary>
public static class WordBreaker
{
    /// <summary>The words of <paramref name="text"/> in reading order, punctuation kept on the word before it.</summary>
    public static IReadOnlyList<string> Words(string text, LanguageInfo? language = null)
    {
        if (string.IsNullOrWhiteSpace(text)) return [];
        // A zero-width space separates words (as in Thai or Khmer text that marks them); a BOM, word joiner or soft
        // hyphen is dropped.
        text = InputText.WithoutInvisibleSeparators(text);
        if ((language?.SpacedWords ?? true) && !HasUnspacedScript(text))
            return text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var words = new List<string>();
        foreach (var run in text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            if (!HasUnspacedScript(run)) { words.Add(run); continue; }
            foreach (var (segment, isWord) in Icu.Segments(run, language?.Code ?? "und"))
            {
                // Punctuation, symbols and emoji between words stay with the word before (a caption never starts with "。").
                if (!isWord && words.Count > 0 && !StartsRun(segment)) words[^1] += segment;
                else words.Add(segment);
            }
        }
        return words;
    }

    /// <summary>How many words <paramref name="text"/> has (as <see cref="Words"/> counts them).</summary>
    public static int Count(string text, LanguageInfo? language = null) => Words(text, language).Count;

    /// <summary>
    /// Joins words back as a caption shows them: with spaces, except between two words of an unspaced script.
    /// </summary>
    public static string Join(IEnumerable<string> words, LanguageInfo? language = null)
    {
        var sb = new StringBuilder();
        foreach (var w in words)
        {
            if (sb.Length > 0 && NeedsSpace(sb, w, language)) sb.Append(' ');
            sb.Append(w);
        }
        return sb.ToString();
    }

    /// <summary>The separator a caption puts between <paramref name="before"/> and <paramref name="after"/>.</summary>
    public static string Separator(string before, string after, LanguageInfo? language = null) =>
        before.Length == 0 || after.Length == 0 ? "" : NeedsSpace(new StringBuilder(before), after, language) ? " " : "";

    private static bool NeedsSpace(StringBuilder before, string after, LanguageInfo? language) =>
        // Between two words of an unspaced script nothing; anywhere else a space (a Latin name inside Chinese gets one on
        // each side, as Chinese typography sets it).
        !(IsUnspaced(LastRune(before)) && IsUnspaced(FirstRune(after)));

    private static Rune LastRune(StringBuilder sb)
    {
        var s = sb.ToString();
        return Rune.TryGetRuneAt(s, s.Length - 1, out var r) ? r
            : s.Length >= 2 && Rune.TryGetRuneAt(s, s.Length - 2, out r) ? r : new Rune(' ');
    }

    private static Rune FirstRune(string s) => s.Length > 0 && Rune.TryGetRuneAt(s, 0, out var r) ? r : new Rune(' ');

    private static bool StartsRun(string segment) =>
        segment.Length > 0 && Rune.TryGetRuneAt(segment, 0, out var r) && r.Value is '「' or '『' or '（' or '(' or '“' or '《' or '〈';

    public static bool HasUnspacedScript(string text)
    {
        foreach (var r in text.EnumerateRunes()) if (IsUnspaced(r)) return true;
        return false;
    }

    /// <summary>Scripts written without spaces between words: Thai, Lao, Khmer, Myanmar, CJK ideographs, kana, CJK punctuation.</summary>
    public static bool IsUnspaced(Rune r) => r.Value switch
    {
        >= 0x0E00 and < 0x0F00 => true,   // Thai, Lao
        >= 0x1000 and < 0x10A0 => true,   // Myanmar
        >= 0x1780 and < 0x1800 => true,   // Khmer
        >= 0x2E80 and < 0x2FE0 => true,   // CJK radicals
        >= 0x3000 and < 0x3100 => true,   // CJK punctuation, hiragana, katakana
        >= 0x3190 and < 0xA000 => true,   // kanbun … CJK unified ideographs
        >= 0xF900 and < 0xFB00 => true,   // CJK compatibility ideographs
        >= 0xFF00 and < 0xFF61 => true,   // full-width forms
        >= 0x20000 and < 0x32000 => true, // CJK extensions
        _ => false,
    };

    /// <summary>True when a break may fall between the two runes with no space there (CJK: almost anywhere; Thai: between words only).</summary>
    internal static bool IsCjk(Rune r) => r.Value is (>= 0x2E80 and < 0xA000) or (>= 0xF900 and < 0xFB00) or (>= 0xFF00 and < 0xFF61) or (>= 0x20000 and < 0x32000);

    /// <summary>ICU's word break iterator (ubrk_*), loaded from the libicuuc .NET uses; a per-character split when it cannot be.</summary>
    private static class Icu
    {
        private delegate IntPtr OpenFn(int type, [MarshalAs(UnmanagedType.LPStr)] string locale, IntPtr text, int length, ref int status);
        private delegate int StepFn(IntPtr iterator);
        private delegate void CloseFn(IntPtr iterator);

        private sealed record Api(OpenFn Open, StepFn First, StepFn Next, StepFn RuleStatus, CloseFn Close);

        private static readonly Lazy<Api?> Loaded = new(Load);
        private static readonly object Gate = new();

        public static IEnumerable<(string Segment, bool IsWord)> Segments(string text, string locale)
        {
            if (Loaded.Value is not { } api) return Fallback(text);
            var list = new List<(string, bool)>();
            var buffer = Marshal.StringToHGlobalUni(text);
            try
            {
                int status = 0;
                lock (Gate)
                {
                    var it = api.Open(1 /* UBRK_WORD */, locale, buffer, text.Length, ref status);
                    if (status > 0 || it == IntPtr.Zero) return Fallback(text);
                    try
                    {
                        int start = api.First(it);
                        for (int end = api.Next(it); end != -1; start = end, end = api.Next(it))
                        {
                            // Rule status 0–99: spaces, punctuation and symbols; 100+: numbers, letters, kana, ideographs.
                            int rule = api.RuleStatus(it);
                            var seg = text[start..end];
                            if (seg.Trim().Length == 0) continue;
                            list.Add((seg, rule >= 100));
                        }
                    }
                    finally { api.Close(it); }
                }
            }
            finally { Marshal.FreeHGlobal(buffer); }
            return list;
        }

        /// <summary>Without ICU: each ideograph or kana is a word; Thai and other runs stay whole.</summary>
        private static IEnumerable<(string, bool)> Fallback(string text)
        {
            var sb = new StringBuilder();
            foreach (var r in text.EnumerateRunes())
            {
                if (IsCjk(r))
                {
                    if (sb.Length > 0) { yield return (sb.ToString(), true); sb.Clear(); }
                    yield return (r.ToString(), Rune.IsLetterOrDigit(r));
                }
                else sb.Append(r.ToString());
            }
            if (sb.Length > 0) yield return (sb.ToString(), true);
        }

        private static Api? Load()
        {
            if (AppContext.TryGetSwitch("System.Globalization.Invariant", out var invariant) && invariant) return null;
            foreach (var dir in new[] { "/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib" })
            {
                for (int v = 90; v >= 50; v--)
                {
                    var path = Path.Combine(dir, $"libicuuc.so.{v}");
                    if (!File.Exists(path) || !NativeLibrary.TryLoad(path, out var lib)) continue;
                    if ((Bind(lib, $"_{v}") ?? Bind(lib, "")) is { } api) return api;
                }
            }
            return null;
        }

        private static Api? Bind(IntPtr lib, string suffix)
        {
            T? Fn<T>(string name) where T : Delegate =>
                NativeLibrary.TryGetExport(lib, name + suffix, out var p) ? Marshal.GetDelegateForFunctionPointer<T>(p) : null;
            var open = Fn<OpenFn>("ubrk_open");
            var first = Fn<StepFn>("ubrk_first");
            var next = Fn<StepFn>("ubrk_next");
            var rule = Fn<StepFn>("ubrk_getRuleStatus");
            var close = Fn<CloseFn>("ubrk_close");
            return open is null || first is null || next is null || rule is null || close is null ? null : new Api(open, first, next, rule, close);
        }
    }
}
