using System.Globalization;
using System.Text;

namespace ViraLoop.Media;

/// <summary>
/// A language a video can be made in: its code, name, the espeak-ng voice that speaks it, how fast it is spoken
/// (in the words <see cref="Text.WordBreaker"/> finds), its direction and whether its words are separated by spaces.
/// </summary>
public sealed record LanguageInfo(string Code, string Name, string EspeakVoice, double WordsPerSecond, bool RightToLeft = false,
    bool SpacedWords = true)
{
    /// <summary>The culture used for upper-casing keywords and comparing words (invariant where .NET has none).</summary>
    public CultureInfo Culture
    {
        get
        {
            try { return CultureInfo.GetCultureInfo(Code); }
            catch (CultureNotFoundException) { return CultureInfo.InvariantCulture; }
        }
    }

    /// <summary>The text between two words in this language's captions: a space, or nothing where words run together.</summary>
    public string WordJoiner => SpacedWords ? " " : "";
}

/// <summary>
/// Every language espeak-ng speaks, by code or name. A curated set (with tuned speaking rates and, for eight of them,
/// the offline writer's templates) comes first; the rest are read from <c>espeak-ng --voices</c>.
/// </summary>
public static class Languages
{
    /// <summary>The languages the project knows well. Rates are words per second at espeak-ng's normal speed.</summary>
    public static readonly IReadOnlyDictionary<string, LanguageInfo> Curated = new Dictionary<string, LanguageInfo>(StringComparer.OrdinalIgnoreCase)
    {
        ["en"] = new("en", "English", "en-us", 2.55),
        ["pl"] = new("pl", "Polski", "pl", 2.1),
        ["es"] = new("es", "Español", "es", 2.6),
        ["de"] = new("de", "Deutsch", "de", 2.2),
        ["fr"] = new("fr", "Français", "fr-fr", 2.5),
        ["pt"] = new("pt", "Português", "pt-br", 2.5),
        ["it"] = new("it", "Italiano", "it", 2.5),
        ["nl"] = new("nl", "Nederlands", "nl", 2.4),
        ["ru"] = new("ru", "Русский", "ru", 2.2),
        ["uk"] = new("uk", "Українська", "uk", 2.2),
        ["el"] = new("el", "Ελληνικά", "el", 2.3),
        ["tr"] = new("tr", "Türkçe", "tr", 2.2),
        ["ar"] = new("ar", "العربية", "ar", 2.1, RightToLeft: true),
        ["he"] = new("he", "עברית", "he", 2.2, RightToLeft: true),
        ["fa"] = new("fa", "فارسی", "fa", 2.2, RightToLeft: true),
        ["ur"] = new("ur", "اردو", "ur", 2.2, RightToLeft: true),
        ["hi"] = new("hi", "हिन्दी", "hi", 2.4),
        ["bn"] = new("bn", "বাংলা", "bn", 2.3),
        ["th"] = new("th", "ไทย", "th", 2.6, SpacedWords: false),
        ["zh"] = new("zh", "中文", "cmn", 2.4, SpacedWords: false),
        ["yue"] = new("yue", "粵語", "yue", 2.4, SpacedWords: false),
        ["ja"] = new("ja", "日本語", "ja", 2.4, SpacedWords: false),
        ["ko"] = new("ko", "한국어", "ko", 2.3),
        ["vi"] = new("vi", "Tiếng Việt", "vi", 3.0),
        ["id"] = new("id", "Bahasa Indonesia", "id", 2.4),
    };

    /// <summary>Common names (English and native) that name a curated language.</summary>
    private static readonly Dictionary<string, string> Aliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["english"] = "en", ["polish"] = "pl", ["spanish"] = "es", ["castellano"] = "es", ["german"] = "de", ["french"] = "fr",
        ["portuguese"] = "pt", ["brazilian"] = "pt", ["italian"] = "it", ["dutch"] = "nl", ["russian"] = "ru", ["ukrainian"] = "uk",
        ["greek"] = "el", ["turkish"] = "tr", ["arabic"] = "ar", ["hebrew"] = "he", ["persian"] = "fa", ["farsi"] = "fa",
        ["urdu"] = "ur", ["hindi"] = "hi", ["bengali"] = "bn", ["bangla"] = "bn", ["thai"] = "th", ["chinese"] = "zh",
        ["mandarin"] = "zh", ["cmn"] = "zh", ["zh-cn"] = "zh", ["zh-hans"] = "zh", ["cantonese"] = "yue", ["japanese"] = "ja",
        ["korean"] = "ko", ["vietnamese"] = "vi", ["indonesian"] = "id", ["en-us"] = "en", ["en-gb"] = "en", ["pt-br"] = "pt",
        ["pt-pt"] = "pt", ["fr-fr"] = "fr", ["es-es"] = "es", ["es-419"] = "es", ["iw"] = "he",
    };

    private static readonly Lazy<IReadOnlyList<(string Code, string Name)>> EspeakVoices = new(ReadEspeakVoices);

    /// <summary>The curated languages (kept for callers that list what is supported best).</summary>
    public static IReadOnlyDictionary<string, LanguageInfo> All => Curated;

    /// <summary>The codes whose offline template writer exists (topic-only scripts); others need text, scenes or an LLM.</summary>
    public static IReadOnlyCollection<string> WithTemplates => Writing.ScriptTemplates.Codes;

    /// <summary>Every language: the curated ones first, then each other language espeak-ng speaks (one entry a code).</summary>
    public static IEnumerable<LanguageInfo> Listed()
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var l in Curated.Values) { seen.Add(l.Code); seen.Add(l.EspeakVoice); yield return l; }
        foreach (var (code, name) in EspeakVoices.Value)
            if (seen.Add(code) && !Aliases.ContainsKey(code)) yield return FromVoice(code, name);
    }

    public static bool TryGet(string? codeOrName, out LanguageInfo language)
    {
        language = null!;
        var key = Normalise(codeOrName);
        if (key.Length == 0) return false;
        if (Curated.TryGetValue(key, out var l) || (Aliases.TryGetValue(key, out var code) && Curated.TryGetValue(code, out l)))
        {
            language = l;
            return true;
        }
        foreach (var c in Curated.Values)
            if (string.Equals(Normalise(c.Name), key, StringComparison.OrdinalIgnoreCase)) { language = c; return true; }
        foreach (var (vcode, vname) in EspeakVoices.Value)
        {
            if (string.Equals(vcode, key, StringComparison.OrdinalIgnoreCase) || string.Equals(Normalise(vname), key, StringComparison.OrdinalIgnoreCase)
                || string.Equals(BaseName(vname), key, StringComparison.OrdinalIgnoreCase))
            {
                language = FromVoice(vcode, vname);
                return true;
            }
        }
        return false;
    }

    public static LanguageInfo Get(string? codeOrName)
    {
        if (TryGet(codeOrName, out var l)) return l;
        var near = NearMatches(codeOrName ?? "", 5);
        throw new MediaInputException($"Unknown language '{codeOrName}'." +
            (near.Count > 0 ? $" Did you mean: {string.Join(", ", near)}?" : "") +
            " Use a code such as en, es, ar, hi, zh, or a name such as Arabic; `espeak-ng --voices` lists every language the offline voice speaks.");
    }

    /// <summary>Codes and names nearest to what was typed (edit distance, or a shared prefix), as "code (Name)".</summary>
    public static IReadOnlyList<string> NearMatches(string typed, int max)
    {
        var key = Normalise(typed);
        if (key.Length == 0) return Curated.Values.Take(max).Select(l => $"{l.Code} ({l.Name})").ToList();
        var candidates = new List<(string Label, string Against)>();
        foreach (var l in Curated.Values) { candidates.Add(($"{l.Code} ({l.Name})", l.Code)); candidates.Add(($"{l.Code} ({l.Name})", Normalise(l.Name))); }
        foreach (var (alias, code) in Aliases) candidates.Add(($"{code} ({Curated[code].Name})", alias));
        foreach (var (vcode, vname) in EspeakVoices.Value) { candidates.Add(($"{vcode} ({vname.Replace('_', ' ')})", vcode)); candidates.Add(($"{vcode} ({vname.Replace('_', ' ')})", BaseName(vname))); }
        return candidates
            .Select(c => (c.Label, Score: Text.EditDistance.Of(key.ToLowerInvariant(), c.Against.ToLowerInvariant()) - (c.Against.StartsWith(key, StringComparison.OrdinalIgnoreCase) ? 2 : 0)))
            .Where(c => c.Score <= Math.Max(1, key.Length / 3))
            .OrderBy(c => c.Score).Select(c => c.Label).Distinct().Take(max).ToList();
    }

    private static LanguageInfo FromVoice(string code, string name)
    {
        var display = name.Replace('_', ' ');
        // Scripts written without spaces between words (Burmese, Khmer, Lao, Chinese varieties).
        bool unspaced = code is "my" or "km" or "lo" or "hak" or "shn" || code.StartsWith("yue", StringComparison.Ordinal);
        bool rtl = code is "sd" or "ug" or "ku" or "ps" or "yi" or "dv";
        return new LanguageInfo(code, display, code, 2.3, rtl, !unspaced);
    }

    private static string Normalise(string? s) => (s ?? "").Trim().Replace('_', ' ').Normalize(NormalizationForm.FormC);

    /// <summary>"Portuguese_(Brazil)" → "Portuguese (Brazil)"; also "Portuguese" alone is tried by <see cref="BaseName"/>.</summary>
    private static string BaseName(string voiceName)
    {
        var n = voiceName.Replace('_', ' ');
        var i = n.IndexOf(" (", StringComparison.Ordinal);
        return i > 0 ? n[..i] : n;
    }

    private static IReadOnlyList<(string, string)> ReadEspeakVoices()
    {
        try
        {
            var r = Tools.RunAsync(Tools.Espeak, ["--voices"], null, CancellationToken.None).GetAwaiter().GetResult();
            if (r.ExitCode != 0) return [];
            var list = new List<(string, string)>();
            foreach (var line in r.StdOut.Split('\n').Skip(1))
            {
                var cols = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (cols.Length >= 4) list.Add((cols[1], cols[3]));
            }
            return list;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or MissingToolException)
        {
            return [];
        }
    }
}
