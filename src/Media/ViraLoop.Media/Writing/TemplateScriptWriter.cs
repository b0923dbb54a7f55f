using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using ViraLoop.Media.Text;

namespace ViraLoop.Media.Writing;

/// <summary>
/// The offline writer. A topic alone gives a hook from the hook library, framing scenes and a call to
/// action; the user's text is split into scenes that keep every sentence; a scene list is used as given.
/// </summary>
public sealed partial class TemplateScriptWriter : IScriptWriter
{
    public const int MaxTopicLength = 200;
    public const int MaxTextLength = 20_000;

    /// <summary>A topic alone needs the language's templates; text or a scene list works in any language.</summary>
    public void EnsureCanWrite(VideoRequest request)
    {
        Validate(request);
        var lang = Languages.Get(request.Language);
        if (request.Text is null && request.Scenes is null && ScriptTemplates.For(lang.Code) is null) throw NoTemplates(lang);
    }

    private static MediaInputException NoTemplates(LanguageInfo lang) =>
        new($"The offline writer writes scripts from a topic alone in {string.Join(", ", ScriptTemplates.Codes)}; " +
            $"for {lang.Name} ({lang.Code}) give your own text (--text), a scene list (--scenes) or an LLM endpoint (--llm-url).");

    public Task<Script> WriteAsync(VideoRequest request, CancellationToken cancellationToken = default) =>
        Task.FromResult(Write(request));

    public static void Validate(VideoRequest request)
    {
        var topic = request.Topic?.Trim() ?? "";
        if (topic.Length == 0) throw new MediaInputException("The topic is empty: give a topic such as \"Why octopuses are smart\".");
        if (topic.Length > MaxTopicLength)
            throw new MediaInputException($"The topic is {topic.Length} characters long; at most {MaxTopicLength} are allowed. Put longer material in a text file (--text).");
        Languages.Get(request.Language);
        if (double.IsNaN(request.DurationSeconds) || request.DurationSeconds < 5 || request.DurationSeconds > 180)
            throw new MediaInputException($"Duration {request.DurationSeconds} s is out of range: choose 5–180 seconds (shorts are 15–60).");
        if (request.Text is { } text && string.IsNullOrWhiteSpace(text)) throw new MediaInputException("The text file is empty.");
        if (request.Text is { Length: > MaxTextLength }) throw new MediaInputException($"The text is longer than {MaxTextLength} characters.");
        if (request.Text is not null && request.Scenes is not null) throw new MediaInputException("Give either a text or a scene list, not both.");
        if (request.Scenes is { } scenes)
        {
            if (scenes.Count == 0) throw new MediaInputException("The scene list is empty.");
            if (scenes.Count > 30) throw new MediaInputException("The scene list has more than 30 scenes.");
            for (int i = 0; i < scenes.Count; i++)
                if (string.IsNullOrWhiteSpace(scenes[i].Text)) throw new MediaInputException($"Scene {i + 1} has no text.");
        }
        if (request.Hook is { } hook && !ScriptTemplates.HookTypes.Contains(hook))
            throw new MediaInputException($"Unknown hook type '{hook}'. Known: {string.Join(", ", ScriptTemplates.HookTypes)}.");
        Pipeline.CreativeGenes.Validate(request);
    }

    public static Script Write(VideoRequest request)
    {
        Validate(request);
        var lang = Languages.Get(request.Language);
        var asked = Regex.Replace(request.Topic.Trim(), @"\s+", " ");
        var topic = Title(asked);
        if (ScriptTemplates.For(lang.Code) is not { } t)
            return WriteWithoutTemplates(request, lang, topic);
        var rng = new Random(request.Seed ?? StableHash(topic));
        var hookType = request.Hook ?? ScriptTemplates.HookTypes[rng.Next(ScriptTemplates.HookTypes.Length)];
        double total = request.DurationSeconds;
        double sceneSeconds = Pipeline.CreativeGenes.SceneSeconds(request.Pacing);
        var scenes = new List<(SceneKind Kind, string Text, IReadOnlyList<string>? Keywords, string? Visual)>();

        if (request.Scenes is { } given)
        {
            foreach (var s in given) scenes.Add((scenes.Count == 0 ? SceneKind.Hook : SceneKind.Body, s.Text.Trim(), s.Keywords, s.Visual));
            return Build(request, lang, t, topic, hookType, scenes, given.Select(s => s.Duration).ToList(), "scene-list");
        }

        // A topic asked as a question stays a question: it opens the hook with its question mark. A phrase (or, in English,
        // an embedded question such as "why whales sing") is set into the hook where a phrase fits.
        var (form, question) = ReadTopic(asked, t, lang);
        var hookTemplates = form switch
        {
            TopicForm.Question => t.QuestionHooks[hookType],
            TopicForm.Clause when t.ClauseHooks?.GetValueOrDefault(hookType) is { } clause => clause,
            _ => t.Hooks[hookType],
        };
        var hook = Capitalise(string.Format(CultureInfo.InvariantCulture, hookTemplates[rng.Next(hookTemplates.Length)],
            form == TopicForm.Question ? question : InSentence(topic)));
        scenes.Add((SceneKind.Hook, hook, TopicKeywords(topic, t, lang), null));

        if (request.Text is { } text)
        {
            // Pacing sets the scene length: fast pacing cuts the text into short scenes, slow pacing into long ones.
            int wordsPerScene = Math.Max(sceneSeconds < 5 ? 4 : 8, (int)(lang.WordsPerSecond * sceneSeconds));
            foreach (var chunk in ChunkUserText(text, wordsPerScene, lang)) scenes.Add((SceneKind.Body, chunk, null, null));
            scenes.Add((SceneKind.CallToAction, PickFitting(t.UserCallToAction, lang, 3), null, null));
            return Build(request, lang, t, topic, hookType, scenes, null, "template+user-text");
        }

        // Topic only: as many framing scenes as the time allows (4–8 scenes for a 30 s short).
        double hookTime = Words(hook, lang) / lang.WordsPerSecond + 0.4;
        var cta = PickFitting(t.CallToAction, lang, Math.Max(1.2, total * 0.15));
        double ctaTime = Words(cta, lang) / lang.WordsPerSecond + 0.4;
        double left = total - hookTime - ctaTime;
        // Pacing sets the scene length (medium about 5 s). Fast pacing cuts every framing text at its sentences, so the same
        // time holds more, shorter scenes (a cut every 2–3 s); slow pacing holds fewer, longer ones.
        bool fast = sceneSeconds < 5;
        var framing = fast
            ? t.Body.SelectMany(b => SentenceSplit().Split(b.Text).Where(x => x.Length > 0).Select((x, j) => (Text: x, Keyword: j == 0 ? b.Keyword : null))).ToArray()
            : t.Body.Select(b => (b.Text, Keyword: (string?)b.Keyword)).ToArray();
        double scenesThatFit = left / sceneSeconds;
        int bodyCount = Math.Clamp((int)(fast ? Math.Ceiling(scenesThatFit) : Math.Round(scenesThatFit)), 1, Math.Min(framing.Length, sceneSeconds > 5 ? 4 : 10));
        double perBody = left / bodyCount;
        for (int i = 0; i < bodyCount; i++)
        {
            var (full, keyword) = framing[i];
            var body = Words(full, lang) / lang.WordsPerSecond + 0.3 <= perBody * 1.15 ? full : FirstSentence(full, lang);
            scenes.Add((SceneKind.Body, body, keyword is null ? null : [keyword], null));
        }
        scenes.Add((SceneKind.CallToAction, cta, null, null));
        return Build(request, lang, t, topic, hookType, scenes, null, "template");
    }

    /// <summary>
    /// A language the offline writer has no templates for: the user's own text or scene list is used as given (the first
    /// sentence is the hook); a topic alone cannot be written, and the message says what can.
    /// </summary>
    private static Script WriteWithoutTemplates(VideoRequest request, LanguageInfo lang, string topic)
    {
        var none = new ScriptTemplates(new Dictionary<string, string[]>(), [], [], [], new HashSet<string>(StringComparer.OrdinalIgnoreCase));
        var hookType = request.Hook ?? "story";
        var scenes = new List<(SceneKind Kind, string Text, IReadOnlyList<string>? Keywords, string? Visual)>();
        if (request.Scenes is { } given)
        {
            foreach (var s in given) scenes.Add((scenes.Count == 0 ? SceneKind.Hook : SceneKind.Body, s.Text.Trim(), s.Keywords, s.Visual));
            return Build(request, lang, none, topic, hookType, scenes, given.Select(s => s.Duration).ToList(), "scene-list");
        }
        if (request.Text is not { } text)
            throw NoTemplates(lang);
        int wordsPerScene = Math.Max(8, (int)(lang.WordsPerSecond * 5));
        foreach (var chunk in ChunkUserText(text, wordsPerScene, lang))
            scenes.Add((scenes.Count == 0 ? SceneKind.Hook : SceneKind.Body, chunk, null, null));
        return Build(request, lang, none, topic, hookType, scenes, null, "user-text");
    }

    private static Script Build(VideoRequest request, LanguageInfo lang, ScriptTemplates t, string topic, string hookType,
        List<(SceneKind Kind, string Text, IReadOnlyList<string>? Keywords, string? Visual)> scenes, List<double?>? durations, string writer)
    {
        var list = new List<SceneScript>();
        double estimated = scenes.Sum(s => Words(s.Text, lang) / lang.WordsPerSecond + 0.4);
        double scale = Math.Max(1, request.DurationSeconds / Math.Max(0.1, estimated));
        for (int i = 0; i < scenes.Count; i++)
        {
            var (kind, text, keywords, visual) = scenes[i];
            if (i == scenes.Count - 1 && scenes.Count > 1 && kind == SceneKind.Body && writer == "scene-list") kind = SceneKind.CallToAction;
            var kw = keywords is { Count: > 0 } ? keywords.Select(k => k.ToUpper(lang.Culture)).ToList() : ExtractKeywords(text, t, lang);
            double d = durations?[i] ?? (Words(text, lang) / lang.WordsPerSecond + 0.4) * scale;
            list.Add(new SceneScript(i, kind, text, kw, visual ?? $"{kind.ToString().ToLowerInvariant()} scene showing {string.Join(", ", kw)}", Math.Round(d, 2)));
        }
        var title = request.TitleTemplate is { } template && TitleTemplates.Has(lang.Code)
            ? TitleTemplates.Write(template, topic, ReadTopic(topic, t, lang), list.Count(s => s.Kind == SceneKind.Body), request.DurationSeconds, lang)
            : Capitalise(topic);
        return new Script(title, lang.Code, hookType, list, writer);
    }

    /// <summary>Splits the user's text into scenes of about <paramref name="wordsPerScene"/> words, keeping every sentence and bullet.</summary>
    internal static IEnumerable<string> ChunkUserText(string text, int wordsPerScene, LanguageInfo? lang = null)
    {
        var units = new List<string>();
        foreach (var raw in text.Replace("\r", "").Split('\n'))
        {
            var line = BulletPrefix().Replace(raw.Trim(), "");
            if (line.Length == 0) continue;
            units.AddRange(SentenceSplit().Split(line).Select(s => s.Trim()).Where(s => s.Length > 0));
        }
        var current = new StringBuilder();
        foreach (var u in units)
        {
            var unit = Terminators.Contains(u[^1]) ? u : u + FullStop(lang);
            if (current.Length > 0 && Words(current.ToString(), lang) + Words(unit, lang) > wordsPerScene)
            {
                yield return current.ToString();
                current.Clear();
            }
            if (current.Length > 0 && (lang?.SpacedWords ?? true)) current.Append(' ');
            current.Append(unit);
        }
        if (current.Length > 0) yield return current.ToString();
    }

    internal static IReadOnlyList<string> ExtractKeywords(string text, ScriptTemplates t, LanguageInfo lang)
    {
        var culture = lang.Culture;
        var words = Candidates(text, lang).Where(w => w.Length > MinKeywordLength(lang) && !t.StopWords.Contains(w)).ToList();
        var picked = words.Select((w, i) => (w, score: w.Length + (char.IsUpper(w[0]) && i > 0 ? 3 : 0) + (w.Any(char.IsDigit) ? 4 : 0)))
            .OrderByDescending(x => x.score).Select(x => x.w.ToUpper(culture)).Distinct().Take(2).ToList();
        return picked.Count > 0 ? picked : [WordBreaker.Words(text, lang).FirstOrDefault()?.ToUpper(culture) ?? text];
    }

    private static IReadOnlyList<string> TopicKeywords(string topic, ScriptTemplates t, LanguageInfo lang)
    {
        var words = Candidates(topic, lang).Where(w => w.Length > MinKeywordLength(lang) - 1 && !t.StopWords.Contains(w)).ToList();
        return words.Count == 0 ? [topic.ToUpper(lang.Culture)] : words.OrderByDescending(w => w.Length).Take(2).Select(w => w.ToUpper(lang.Culture)).ToList();
    }

    /// <summary>The words a keyword may be: letters (with their combining marks, as in Devanagari) and digits, no punctuation.</summary>
    private static IEnumerable<string> Candidates(string text, LanguageInfo lang) =>
        WordBreaker.Words(text, lang).SelectMany(w => WordPattern().Matches(w).Select(m => m.Value));

    /// <summary>Ideographs carry a word in one or two characters; alphabets need more letters to be worth showing.</summary>
    private static int MinKeywordLength(LanguageInfo lang) => lang.Code is "zh" or "ja" or "yue" ? 1 : 3;

    private static string PickFitting(string[] options, LanguageInfo lang, double seconds) =>
        options.FirstOrDefault(o => Words(o, lang) / lang.WordsPerSecond <= seconds) ?? options[^1];

    private static string FirstSentence(string s, LanguageInfo lang)
    {
        var i = s.IndexOfAny(['.', '!', '?', ':', '।', '؟']);
        return i > 0 ? s[..(i + 1)].TrimEnd(':') + (s[i] == ':' ? FullStop(lang) : "") : s;
    }

    internal static int Words(string s, LanguageInfo? lang = null) => WordBreaker.Count(s, lang);

    private static readonly HashSet<string> QuestionWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "why", "how", "what", "when", "where", "who", "which", "dlaczego", "jak", "czy", "co", "kiedy", "gdzie", "kto", "czemu",
    };

    /// <summary>The topic as it reads inside a sentence: "Why whales sing" becomes "why whales sing".</summary>
    internal static string InSentence(string topic)
    {
        var first = topic.Split(' ', 2)[0];
        return QuestionWords.Contains(first) ? char.ToLowerInvariant(topic[0]) + topic[1..] : topic;
    }

    internal static string Capitalise(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];

    /// <summary>The topic as the script's title: without its closing punctuation (and without a lone opening "¿").</summary>
    private static string Title(string given)
    {
        var title = given.TrimEnd('.', '!', '?', '؟', '？', '।', ' ');
        return title.StartsWith('¿') && title.IndexOf('¿', 1) < 0 ? title[1..].TrimStart() : title;
    }

    /// <summary>How a topic reads: a phrase, an embedded question (English "why whales sing") or a question to ask as it is.</summary>
    internal enum TopicForm { Phrase, Clause, Question }

    private static readonly char[] QuestionMarks = ['?', '؟', '？'];

    /// <summary>
    /// Whether <paramref name="topic"/> is a question (it ends in a question mark, opens with "¿", or starts with a question word
    /// of the language; in Hindi a question word anywhere) and, if so, the question as the hook asks it: the topic's own words,
    /// capitalised, with the language's question mark ("؟" in Arabic) and, in Spanish, the opening "¿".
    /// </summary>
    internal static (TopicForm Form, string Question) ReadTopic(string topic, ScriptTemplates t, LanguageInfo lang)
    {
        var s = topic.Trim();
        int mark = s.LastIndexOfAny(QuestionMarks);
        bool marked = mark >= 0 && s[(mark + 1)..].All(c => c is '.' or '!' or '…' || char.IsWhiteSpace(c));
        bool opened = t.OpeningQuestionMark is { } open && s.StartsWith(open, StringComparison.Ordinal);
        var core = (marked ? s[..mark] : s).TrimEnd('.', '!', '…', ' ', '?', '؟', '？');
        if (!marked && !opened)
        {
            if (s.EndsWith('!')) return (TopicForm.Phrase, ""); // an exclamation ("¡Qué bonito!") is not a question
            var form = Opening(core, t, lang);
            if (form != TopicForm.Question) return (form, "");
        }
        if (core.Length == 0) return (TopicForm.Phrase, "");
        var question = core + t.QuestionMark;
        if (t.OpeningQuestionMark is { } opening && !question.Contains(opening, StringComparison.Ordinal)) question = opening + question;
        return (TopicForm.Question, CapitaliseFirstLetter(question));
    }

    /// <summary>Whether an unmarked topic opens as a question, an embedded question, or neither.</summary>
    private static TopicForm Opening(string core, ScriptTemplates t, LanguageInfo lang)
    {
        var words = core.ToLower(lang.Culture).Replace('’', '\'').Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(Bare).Where(w => w.Length > 0).ToArray();
        if (words.Length == 0) return TopicForm.Phrase;
        if (t.QuestionWordsAnywhere) return words.Any(w => t.QuestionWords.Contains(w)) ? TopicForm.Question : TopicForm.Phrase;
        var opener = t.QuestionWords.Select(q => q.Split(' ')).FirstOrDefault(q => q.Length <= words.Length && q.SequenceEqual(words.Take(q.Length)));
        if (opener is null)
            // English yes/no questions: "is coffee healthy", "can dogs see colour".
            return t.Inversion is { } inv && words.Length >= 3 && words[0] != "if" && inv.Contains(words[0]) ? TopicForm.Question : TopicForm.Phrase;
        // English asks "why do whales sing"; "why whales sing" is a clause that reads inside a sentence.
        if (t.Inversion is { } inversion && !(words.Length > opener.Length && inversion.Contains(words[opener.Length]))) return TopicForm.Clause;
        return TopicForm.Question;
    }

    /// <summary>A word without the punctuation around it ("¿por" → "por"); apostrophes and hyphens inside stay.</summary>
    private static string Bare(string word)
    {
        int start = 0, end = word.Length;
        while (start < end && !IsWordChar(word[start])) start++;
        while (end > start && !IsWordChar(word[end - 1])) end--;
        return word[start..end];
    }

    private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || char.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark
        or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark;

    private static string CapitaliseFirstLetter(string s)
    {
        int i = 0;
        while (i < s.Length && !char.IsLetter(s[i])) i++;
        return i < s.Length ? s[..i] + char.ToUpperInvariant(s[i]) + s[(i + 1)..] : s;
    }

    internal static int StableHash(string s)
    {
        unchecked
        {
            int h = (int)2166136261;
            foreach (var c in s) h = (h ^ c) * 16777619;
            return h & 0x7fffffff;
        }
    }

    [GeneratedRegex(@"^([-*•·]|\d+[.)])\s*")]
    private static partial Regex BulletPrefix();

    /// <summary>Sentence ends in the scripts the writer meets (Latin, Arabic, Devanagari, CJK full-width).</summary>
    private const string Terminators = ".!?…؟।。！？";

    private static string FullStop(LanguageInfo? lang) => lang?.Code switch
    {
        "zh" or "ja" or "yue" => "。",
        "hi" or "mr" or "ne" => "।",
        _ => ".",
    };

    [GeneratedRegex(@"(?<=[.!?…؟।])\s+|(?<=[。！？])\s*")]
    private static partial Regex SentenceSplit();

    [GeneratedRegex(@"[\p{L}\p{N}][\p{L}\p{M}\p{N}'’-]*")]
    private static partial Regex WordPattern();
}
