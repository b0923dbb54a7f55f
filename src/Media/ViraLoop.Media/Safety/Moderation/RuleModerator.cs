using System.Globalization;

namespace ViraLoop.Media.Safety.Moderation;

/// <summary>
/// The offline checker: multilingual phrase rules matched on normalised text (see <see cref="TextNormalizer"/>), so the
/// usual evasions (case, diacritics, look-alike letters, digit substitutions, spacing and stretching) do not get past it.
/// The rules live in <c>moderation-rules.txt</c> (embedded); each line is <c>category severity language pattern</c>.
/// A pattern is a sequence of slots, each matching one word unless said otherwise:
/// <list type="bullet">
/// <item><c>word</c> the word (folded: case and diacritics do not matter); <c>word*</c> any word starting so;</item>
/// <item><c>a|b*|c</c> any of these; <c>&lt;set&gt;</c> any word of a set defined by a line <c>@set name a|b*|c</c>;</item>
/// <item><c>&lt;name&gt;</c> a person: one to three capitalised words (two or more at a sentence start), or an @handle;</item>
/// <item><c>~</c> up to two words of anything (a gap).</item>
/// </list>
/// </summary>
public sealed class RuleModerator : IContentModerator
{
    private const int MaxGap = 2;
    private const int PassageContext = 48;
    private const int MaxPassage = 160;

    private readonly IReadOnlyList<Rule> rules;

    public RuleModerator() : this(LoadEmbedded()) { }

    public RuleModerator(string ruleText) => rules = Parse(ruleText);

    public string Name => "rules";

    public bool ChecksImages => false;

    /// <summary>How many rules there are per language (for the docs and the tests).</summary>
    public IReadOnlyDictionary<string, int> RulesPerLanguage =>
        rules.GroupBy(r => r.Language).ToDictionary(g => g.Key, g => g.Count());

    public Task<IReadOnlyList<ModerationFinding>> CheckTextAsync(IReadOnlyList<ModerationText> texts, CancellationToken ct = default)
    {
        var findings = new List<ModerationFinding>();
        foreach (var text in texts)
        {
            ct.ThrowIfCancellationRequested();
            findings.AddRange(Check(text));
        }
        return Task.FromResult<IReadOnlyList<ModerationFinding>>(findings);
    }

    public Task<IReadOnlyList<ModerationFinding>> CheckImageAsync(ReadOnlyMemory<byte> image, string mediaType, string field, CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyList<ModerationFinding>>([]);

    /// <summary>The findings in one text: per category the most severe match (the first one in the text among equals).</summary>
    public IReadOnlyList<ModerationFinding> Check(ModerationText text)
    {
        if (string.IsNullOrWhiteSpace(text.Text)) return [];
        var language = text.Language is { Length: >= 2 } l ? l[..2].ToLowerInvariant() : null;
        var best = new Dictionary<ModerationCategory, (Rule Rule, int Start, int End)>();
        foreach (var stream in TextNormalizer.Streams(text.Text))
        {
            foreach (var rule in rules)
            {
                if (language is not null && rule.Language != language && rule.Language != "en" && rule.Language != "*") continue;
                if (best.TryGetValue(rule.Category, out var have) && have.Rule.Severity >= rule.Severity) continue;
                for (var i = 0; i < stream.Count; i++)
                {
                    var end = Match(rule.Slots, 0, stream, i);
                    if (end < 0 || rule.Unless is { } unless && Voided(unless, stream, i, end)) continue;
                    best[rule.Category] = (rule, stream[i].Start, stream[end - 1].End);
                    break;
                }
            }
        }
        return best.OrderByDescending(kv => kv.Value.Rule.Severity).ThenBy(kv => kv.Value.Start)
            .Select(kv => new ModerationFinding(kv.Key, kv.Value.Rule.Severity, text.Field,
                Passage(text.Text, kv.Value.Start, kv.Value.End), Name, $"{kv.Value.Rule.Language}: {kv.Value.Rule.Pattern}"))
            .ToList();
    }

    /// <summary>The index after the last token matched by slots[s..] starting at token i, or -1.</summary>
    private static int Match(Slot[] slots, int s, IReadOnlyList<NormalizedToken> tokens, int i)
    {
        if (s == slots.Length) return i;
        var slot = slots[s];
        if (slot.Gap)
        {
            for (var skip = 0; skip <= MaxGap && i + skip <= tokens.Count; skip++)
            {
                var end = Match(slots, s + 1, tokens, i + skip);
                if (end >= 0) return end;
            }
            return -1;
        }
        if (i >= tokens.Count) return -1;
        if (slot.Matches(tokens[i]))
        {
            var end = Match(slots, s + 1, tokens, i + 1);
            if (end >= 0) return end;
        }
        if (!slot.Name) return -1;
        if (tokens[i].Handle) return Match(slots, s + 1, tokens, i + 1);
        // A capitalised run of one to three words; at a sentence start only two or more ("Elon Musk", not "This").
        var n = 0;
        while (i + n < tokens.Count && n < 3 && tokens[i + n].Capitalized) n++;
        var least = tokens[i].SentenceStart ? 2 : 1;
        for (; n >= least; n--)
        {
            var end = Match(slots, s + 1, tokens, i + n);
            if (end >= 0) return end;
        }
        return -1;
    }

    /// <summary>Whether a word of the rule's <c>unless</c> list is among the matched words or the two after them.</summary>
    private static bool Voided(Slot unless, IReadOnlyList<NormalizedToken> tokens, int start, int end)
    {
        for (var k = start; k < Math.Min(tokens.Count, end + 2); k++)
            if (unless.Matches(tokens[k])) return true;
        return false;
    }

    /// <summary>The offending words as written, with a little context on each side cut at word boundaries.</summary>
    private static string Passage(string text, int start, int end)
    {
        var from = Math.Max(0, start - PassageContext);
        if (from > 0)
        {
            var space = text.IndexOfAny([' ', '\n', '\t'], from, start - from);
            from = space >= 0 ? space + 1 : start;
            var stop = text.LastIndexOfAny(['.', '!', '?', '\n'], start - 1, start - from);
            if (stop >= 0) from = stop + 1;
        }
        var to = Math.Min(text.Length, end + PassageContext);
        if (to < text.Length)
        {
            var space = text.LastIndexOfAny([' ', '\n', '\t'], to - 1, to - end);
            to = space >= 0 ? space : end;
        }
        var next = text.IndexOfAny(['.', '!', '?', '\n'], end, to - end);
        if (next >= 0) to = next + 1;
        var passage = string.Join(' ', text[from..to].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        passage = new string(passage.Select(c => char.IsControl(c) ? ' ' : c).ToArray());
        return passage.Length <= MaxPassage ? passage : passage[..(MaxPassage - 1)] + "\u2026";
    }

    private static string LoadEmbedded()
    {
        using var stream = typeof(RuleModerator).Assembly.GetManifestResourceStream("ViraLoop.Media.moderation-rules.txt")
            ?? throw new InvalidOperationException("The moderation rules are not embedded in ViraLoop.Media.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static List<Rule> Parse(string ruleText)
    {
        var sets = new Dictionary<string, Alternative[]>();
        var parsed = new List<Rule>();
        var lineNo = 0;
        foreach (var raw in ruleText.Split('\n'))
        {
            lineNo++;
            var line = raw.Trim();
            var hash = line.IndexOf(" #", StringComparison.Ordinal);
            if (hash >= 0) line = line[..hash].TrimEnd();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (parts[0] == "@set")
            {
                if (parts.Length < 3) throw new FormatException($"moderation rules line {lineNo}: @set needs a name and words");
                var words = string.Join('|', parts.Skip(2));
                var alternatives = Alternatives(words);
                sets[parts[1]] = sets.TryGetValue(parts[1], out var existing) ? [.. existing, .. alternatives] : alternatives;
                continue;
            }
            if (parts.Length < 4) throw new FormatException($"moderation rules line {lineNo}: expected 'category severity language pattern'");
            var category = ModerationCategories.Parse(parts[0]) ?? throw new FormatException($"moderation rules line {lineNo}: unknown category '{parts[0]}'");
            if (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var severity) || severity is < 1 or > 3)
                throw new FormatException($"moderation rules line {lineNo}: severity must be 1, 2 or 3");
            var pattern = parts.Skip(3).ToList();
            Slot? unlessSlot = null;
            var unlessAt = pattern.IndexOf("unless");
            if (unlessAt >= 0)
            {
                if (unlessAt != pattern.Count - 2) throw new FormatException($"moderation rules line {lineNo}: 'unless' takes one list of words at the end");
                unlessSlot = ParseSlot(pattern[^1], sets, lineNo);
                pattern.RemoveRange(unlessAt, 2);
            }
            var slots = pattern.Select(p => ParseSlot(p, sets, lineNo)).ToArray();
            if (slots.Length == 0 || slots[0].Gap || slots[^1].Gap)
                throw new FormatException($"moderation rules line {lineNo}: a pattern cannot be empty, or start or end with a gap");
            parsed.Add(new Rule(category, severity, parts[2], string.Join(' ', pattern), slots, unlessSlot));
        }
        return parsed;
    }

    private static Slot ParseSlot(string text, Dictionary<string, Alternative[]> sets, int lineNo)
    {
        if (text == "~") return new Slot([], Name: false, Gap: true);
        var words = new List<Alternative>();
        var name = false;
        foreach (var part in text.Split('|', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == "<name>") name = true;
            else if (part.StartsWith('<') && part.EndsWith('>'))
                words.AddRange(sets.GetValueOrDefault(part[1..^1]) ?? throw new FormatException($"moderation rules line {lineNo}: unknown set {part}"));
            else words.AddRange(Alternatives(part));
        }
        return new Slot([.. words], name, Gap: false);
    }

    private static Alternative[] Alternatives(string words) =>
        words.Split('|', StringSplitOptions.RemoveEmptyEntries).Select(w =>
        {
            var prefix = w.EndsWith('*');
            var literal = TextNormalizer.FoldLiteral(prefix ? w[..^1] : w);
            return new Alternative(literal, TextNormalizer.Collapse(literal), prefix);
        }).ToArray();

    private sealed record Rule(ModerationCategory Category, int Severity, string Language, string Pattern, Slot[] Slots, Slot? Unless);

    private sealed record Alternative(string Literal, string Collapsed, bool Prefix)
    {
        public bool Matches(string form) => Prefix ? form.StartsWith(Literal, StringComparison.Ordinal) : form == Literal;

        public bool MatchesStretched(string stretched) =>
            Prefix ? stretched.StartsWith(Collapsed, StringComparison.Ordinal) : stretched == Collapsed;
    }

    /// <summary>One word of a pattern: any of <paramref name="Words"/>, or (with <paramref name="Name"/>) a person's name; or a gap.</summary>
    private sealed record Slot(Alternative[] Words, bool Name, bool Gap)
    {
        public bool Matches(NormalizedToken token)
        {
            foreach (var word in Words)
            {
                foreach (var form in token.Forms)
                    if (word.Matches(form)) return true;
                if (token.Stretched is { } s && word.MatchesStretched(s)) return true;
            }
            return false;
        }
    }
}
