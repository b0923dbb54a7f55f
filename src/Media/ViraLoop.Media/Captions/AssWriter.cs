using System.Globalization;
using System.Text;
using ViraLoop.Media.Speech;
using ViraLoop.Media.Text;
using ViraLoop.Media.Visuals;

namespace ViraLoop.Media.Captions;

/// <summary>A scene on the final timeline, with its voice's word times (relative to the scene start).</summary>
public sealed record TimedScene(SceneScript Script, double Start, double Duration, double VoiceOffset, IReadOnlyList<WordTiming> Words, VisualStyle Style, string Voice)
{
    public double End => Start + Duration;
}

/// <summary>
/// Writes the ASS subtitle file libass burns in: word-highlighted captions in the safe band, the scene's
/// keywords (kinetic in kinetic scenes), and the hook and call to action large in the middle of the frame.
/// </summary>
public static class AssWriter
{
    /// <summary>The column lists of the [V4+ Styles] and [Events] sections, shared by every ASS document ViraLoop writes.</summary>
    public const string StyleFormat = "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding";
    public const string EventFormat = "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text";

    private const string White = "&H00FFFFFF";
    private const string Highlight = "&H0000E5FF"; // yellow (ASS colours are &HAABBGGRR)

    private const string Fill = "&H0000FF9E"; // karaoke fill: spring green
    private const string Box = "&H30000000"; // boxed captions: a dark box, about 80 % opaque

    /// <summary>
    /// The ASS document. <paramref name="captions"/> is the caption gene: classic (null: outlined text, the spoken word
    /// highlighted), boxed (the same on a dark box, ASS BorderStyle 3) or karaoke (each chunk fills word by word as it is
    /// said, \kf, and stays filled).
    /// </summary>
    public static string Write(IReadOnlyList<TimedScene> scenes, SafeArea safe, string title, LanguageInfo? language = null, string? captions = null)
    {
        var sb = new StringBuilder();
        sb.AppendLine("[Script Info]");
        sb.AppendLine($"Title: {Escape(title)}");
        sb.AppendLine("ScriptType: v4.00+");
        sb.AppendLine("PlayResX: 1080");
        sb.AppendLine("PlayResY: 1920");
        sb.AppendLine("WrapStyle: 0");
        sb.AppendLine("ScaledBorderAndShadow: yes");
        sb.AppendLine();
        sb.AppendLine("[V4+ Styles]");
        // Encoding -1: libass finds each line's base direction (right-to-left for Arabic and Hebrew, so the first word is
        // on the right and the full stop on the left) and keeps complex shaping under letter spacing and scale changes.
        sb.AppendLine(StyleFormat);
        int captionMarginV = 1920 - safe.CaptionBaseline;
        // Boxed: BorderStyle 3 draws an opaque box in the outline colour, the outline width as its padding. Karaoke: the
        // primary colour is the filled part, the secondary the part not yet said.
        var (primary, secondary, outline, back, border, edge) = captions switch
        {
            "boxed" => (White, Highlight, Box, Box, 3, 18),
            "karaoke" => (Fill, White, "&H00101010", "&H96000000", 1, 8),
            _ => (White, Highlight, "&H00101010", "&H96000000", 1, 7),
        };
        sb.AppendLine($"Style: Caption,DejaVu Sans,80,{primary},{secondary},{outline},{back},-1,0,0,0,100,100,0,0,{border},{edge},0,2,{safe.Left},{safe.Right},{captionMarginV},-1");
        sb.AppendLine($"Style: Hook,DejaVu Sans,96,{primary},{secondary},{outline},{back},-1,0,0,0,100,100,0,0,{border},{edge + 1},0,5,{safe.Left},{safe.Right},0,-1");
        sb.AppendLine($"Style: Keyword,DejaVu Sans,104,{Highlight},{White},&H00101010,&H80000000,-1,0,0,0,100,100,2,0,1,7,0,8,{safe.Left},{safe.Right},{safe.Top + 40},-1");
        sb.AppendLine();
        sb.AppendLine("[Events]");
        sb.AppendLine(EventFormat);
        foreach (var s in scenes)
        {
            bool middle = s.Script.Kind != SceneKind.Body;
            if (s.Script.Kind != SceneKind.CallToAction) Keywords(sb, s, kineticY: middle ? 560 : 720);
            Captions(sb, s, middle ? "Hook" : "Caption", language, (1080 - safe.Left - safe.Right) / (middle ? 96.0 : 80.0), captions == "karaoke");
        }
        return sb.ToString();
    }

    private static void Keywords(StringBuilder sb, TimedScene s, int kineticY)
    {
        var kws = s.Script.Keywords.Take(3).ToList();
        if (kws.Count == 0) return;
        if (s.Style == VisualStyle.Kinetic)
        {
            // Kinetic typography: each keyword pops in large, one after another, with a small drift.
            double slot = s.Duration / kws.Count;
            for (int i = 0; i < kws.Count; i++)
            {
                double a = s.Start + i * slot, b = i == kws.Count - 1 ? s.End : a + slot;
                int y = kineticY + (i % 2) * 60;
                sb.AppendLine($"Dialogue: 1,{T(a)},{T(b)},Keyword,,0,0,0,,{{\\an5\\move(540,{y + 40},540,{y})\\fscx30\\fscy30\\t(0,160,\\fscx115\\fscy115)\\t(160,260,\\fscx100\\fscy100)\\fad(0,120)\\fs130}}{Text(kws[i])}");
            }
            return;
        }
        // Something changes every 2–4 s: keywords take turns in slots of at least 2 s; a lone keyword on a long
        // scene pops again half-way (a motion beat).
        int slots = Math.Max(1, Math.Min(kws.Count, (int)(s.Duration / 2)));
        if (slots == 1 && s.Duration > 4) slots = 2;
        double each = s.Duration / slots;
        for (int i = 0; i < slots; i++)
        {
            double a = s.Start + i * each, b = i == slots - 1 ? s.End : a + each;
            sb.AppendLine($"Dialogue: 1,{T(a)},{T(b)},Keyword,,0,0,0,,{{\\fscx60\\fscy60\\t(0,180,\\fscx100\\fscy100)\\fad(60,120)}}{Text(kws[i % kws.Count])}");
        }
    }

    /// <summary>
    /// Chunks of up to four words (six in scripts without spaces) that fit two lines; inside a chunk the word being said
    /// is highlighted. Right-to-left text is written in logical order and libass (FriBidi) lays it out right to left.
    /// Lines of unspaced scripts (CJK, Thai) are broken between words here, as libass wraps only at spaces.
    /// </summary>
    private static void Captions(StringBuilder sb, TimedScene s, string style, LanguageInfo? language, double lineEms, bool karaoke)
    {
        var words = s.Words;
        if (words.Count == 0) return;
        bool unspaced = words.Any(w => WordBreaker.HasUnspacedScript(w.Word));
        int maxWords = unspaced ? 6 : 4;
        double chunkEms = Math.Min(2 * lineEms * 0.92, 18);
        var chunks = new List<List<int>>();
        var cur = new List<int>();
        double ems = 0;
        for (int i = 0; i < words.Count; i++)
        {
            double w = Ems(words[i].Word) + 0.3;
            if (cur.Count > 0 && (cur.Count >= maxWords || ems + w > chunkEms)) { chunks.Add(cur); cur = new(); ems = 0; }
            cur.Add(i);
            ems += w;
            if (EndsSentence(words[i].Word)) { chunks.Add(cur); cur = new(); ems = 0; }
        }
        if (cur.Count > 0) chunks.Add(cur);
        double offset = s.Start + s.VoiceOffset;
        for (int c = 0; c < chunks.Count; c++)
        {
            var chunk = chunks[c];
            // Where a line of an unspaced script must break: before the word that would overflow the first line.
            int breakBefore = -1;
            if (unspaced)
            {
                double line = 0;
                for (int j = 0; j < chunk.Count; j++)
                {
                    line += Ems(words[chunk[j]].Word);
                    if (j > 0 && line > lineEms * 0.92) { breakBefore = j; break; }
                }
            }
            // A chunk stays up until the next one starts (or the scene ends), so captions never flicker off mid-phrase.
            double chunkEnd = c + 1 < chunks.Count ? offset + words[chunks[c + 1][0]].Start : s.End;
            if (karaoke)
            {
                Karaoke(sb, s, style, language, words, chunk, breakBefore, c == 0 ? s.Start : offset + words[chunk[0]].Start, offset, Math.Min(chunkEnd, s.End));
                continue;
            }
            for (int k = 0; k < chunk.Count; k++)
            {
                double a = offset + words[chunk[k]].Start;
                double b = k + 1 < chunk.Count ? offset + words[chunk[k + 1]].Start : chunkEnd;
                if (k == 0 && c == 0) a = s.Start; // the first caption is on screen from the first frame of the scene
                // A word with no time of its own (an emoji) is shown with its neighbours but never highlighted alone.
                if (b <= a) continue;
                var text = new StringBuilder();
                for (int j = 0; j < chunk.Count; j++)
                {
                    if (j == breakBefore) text.Append("\\N");
                    else if (j > 0) text.Append(WordBreaker.Separator(words[chunk[j - 1]].Word, words[chunk[j]].Word, language));
                    text.Append(j == k ? $"{{\\c{Highlight}&}}" : $"{{\\c{White}&}}");
                    text.Append(Text(words[chunk[j]].Word));
                }
                sb.AppendLine($"Dialogue: 0,{T(a)},{T(Math.Min(b, s.End))},{style},,0,0,0,,{text}");
            }
        }
    }

    /// <summary>
    /// One karaoke line for a chunk: each word fills (\kf) from its start to the next word's, so the fill follows the voice
    /// and what was said stays coloured.
    /// </summary>
    private static void Karaoke(StringBuilder sb, TimedScene s, string style, LanguageInfo? language, IReadOnlyList<WordTiming> words, List<int> chunk,
        int breakBefore, double from, double offset, double to)
    {
        if (to <= from) return;
        var text = new StringBuilder();
        double at = from;
        // The line shows before its first word is said (from the scene's first frame): it waits unfilled until then.
        int wait = (int)Math.Round((offset + words[chunk[0]].Start - from) * 100);
        if (wait > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{{\\k{wait}}}");
            at += wait / 100.0;
        }
        for (int j = 0; j < chunk.Count; j++)
        {
            if (j == breakBefore) text.Append("\\N");
            else if (j > 0) text.Append(WordBreaker.Separator(words[chunk[j - 1]].Word, words[chunk[j]].Word, language));
            double next = j + 1 < chunk.Count ? Math.Max(at, offset + words[chunk[j + 1]].Start) : Math.Max(at, offset + words[chunk[j]].End);
            int cs = (int)Math.Round((next - at) * 100);
            text.Append(CultureInfo.InvariantCulture, $"{{\\kf{cs}}}").Append(Text(words[chunk[j]].Word));
            at += cs / 100.0;
        }
        sb.AppendLine($"Dialogue: 0,{T(from)},{T(to)},{style},,0,0,0,,{text}");
    }

    private static bool EndsSentence(string word) => word.Length > 0 && word[^1] is '.' or '?' or '!' or '…' or '؟' or '।' or '。' or '？' or '！';

    /// <summary>
    /// Rough width in ems of bold caption text: ideographs, kana, Hangul and emoji are square; Latin, Cyrillic, Arabic and
    /// Indic letters about 0.6 em; combining marks take no width.
    /// </summary>
    public static double Ems(string text)
    {
        double ems = 0;
        foreach (var r in text.EnumerateRunes())
        {
            if (Rune.GetUnicodeCategory(r) is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or UnicodeCategory.Format) continue;
            if (Emoji.IsModifier(r)) continue;
            ems += WordBreaker.IsCjk(r) || r.Value is >= 0xAC00 and < 0xD7B0 || Emoji.IsEmoji(r) ? 1.0
                : Rune.IsWhiteSpace(r) ? 0.3 : char.IsUpper((char)Math.Min(r.Value, 0xFFFF)) ? 0.72 : 0.6;
        }
        return ems;
    }

    /// <summary>
    /// A block of text (the thumbnail's title) as a Dialogue line: spaced scripts are left to libass's wrapping; unspaced
    /// ones are broken between words into lines of at most <paramref name="lineEms"/>.
    /// </summary>
    public static string Wrapped(string text, double lineEms, LanguageInfo? language = null)
    {
        if (!WordBreaker.HasUnspacedScript(text)) return Text(text);
        var words = WordBreaker.Words(text, language);
        var sb = new StringBuilder();
        double line = 0;
        for (int i = 0; i < words.Count; i++)
        {
            double w = Ems(words[i]);
            if (i > 0 && line + w > lineEms) { sb.Append("\\N"); line = 0; }
            else if (i > 0) sb.Append(WordBreaker.Separator(words[i - 1], words[i], language));
            sb.Append(Text(words[i]));
            line += w;
        }
        return sb.ToString();
    }

    /// <summary>Text for a Dialogue line: escaped, with emoji runs set in the outline emoji font (libass draws no colour glyphs).</summary>
    public static string Text(string text)
    {
        if (!Emoji.Contains(text)) return Escape(text);
        var sb = new StringBuilder();
        foreach (var (run, isEmoji) in Emoji.Runs(text))
            sb.Append(isEmoji ? $"{{\\fn{FontCoverage.EmojiFont}}}{Escape(run)}{{\\fn}}" : Escape(run));
        return sb.ToString();
    }

    public static string T(double seconds)
    {
        seconds = Math.Max(0, seconds);
        int cs = (int)Math.Round(seconds * 100);
        return string.Create(CultureInfo.InvariantCulture, $"{cs / 360000}:{cs / 6000 % 60:00}:{cs / 100 % 60:00}.{cs % 100:00}");
    }

    public static string Escape(string s) => s.Replace("\\", "/").Replace("{", "(").Replace("}", ")").Replace("\n", " ");
}
