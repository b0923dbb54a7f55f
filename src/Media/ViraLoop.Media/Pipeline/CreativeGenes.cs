using ViraLoop.Media.Music;
using ViraLoop.Media.Visuals;
using ViraLoop.Media.Writing;

namespace ViraLoop.Media.Pipeline;

/// <summary>
/// The creative genes of issue 8 as the media pipeline reads them: each gene's name, its allowed values, the
/// <see cref="VideoRequest"/> field it sets, and the way back (the genome a request and its script actually used).
/// The one place that maps a genome (gene name → value) onto a request.
/// </summary>
public static class CreativeGenes
{
    public const string Hook = "hook", Pacing = "pacing", Caption = "caption", Visual = "visual", Palette = "palette", Mood = "mood",
        Voice = "voice", Thumbnail = "thumbnail", Title = "title";

    public static readonly string[] PacingValues = ["fast", "medium", "slow"];
    public static readonly string[] CaptionValues = ["classic", "boxed", "karaoke"];
    public static readonly string[] VoiceValues = ["normal", "fast", "deep"];
    public static readonly string[] ThumbnailValues = ["title-box", "big-word", "clean"];
    public static readonly string[] TitleValues = ["question", "how-to", "number"];

    /// <summary>The nine genes in the schema's order, with the values each may take.</summary>
    public static readonly IReadOnlyList<(string Name, IReadOnlyList<string> Values)> Genes =
    [
        (Hook, ScriptTemplates.HookTypes),
        (Pacing, PacingValues),
        (Caption, CaptionValues),
        (Visual, VisualStyles.Names.Where(n => n != "auto").ToArray()),
        (Palette, Visuals.Palette.Named.Keys.ToArray()),
        (Mood, MusicSpec.Moods),
        (Voice, VoiceValues),
        (Thumbnail, ThumbnailValues),
        (Title, TitleValues),
    ];

    public static IEnumerable<string> Names => Genes.Select(g => g.Name);

    /// <summary>About how long a scene lasts at a pacing: fast 2.5 s, medium (and null) 5 s, slow 8 s.</summary>
    public static double SceneSeconds(string? pacing) => pacing switch { "fast" => 2.5, "slow" => 8.0, _ => 5.0 };

    /// <summary>The values <paramref name="gene"/> allows, or null when there is no such gene.</summary>
    public static IReadOnlyList<string>? ValuesOf(string gene) => Genes.FirstOrDefault(g => g.Name == gene).Values;

    /// <summary>Throws <see cref="MediaInputException"/> naming the known values when <paramref name="value"/> is not one of the gene's.</summary>
    public static void Check(string gene, string? value, string what)
    {
        if (value is null) return;
        var known = ValuesOf(gene) ?? throw new ArgumentException($"No gene '{gene}'.", nameof(gene));
        if (!known.Contains(value, StringComparer.Ordinal))
            throw new MediaInputException($"Unknown {what} '{value}'. Known: {string.Join(", ", known)}.");
    }

    /// <summary>Checks the five fields only the genes use (pacing, captions, voice, thumbnail, title template).</summary>
    public static void Validate(VideoRequest request)
    {
        Check(Pacing, request.Pacing, "pacing");
        Check(Caption, request.Captions, "caption style");
        Check(Voice, request.Voice, "voice");
        Check(Thumbnail, request.Thumbnail, "thumbnail style");
        Check(Title, request.TitleTemplate, "title template");
    }

    /// <summary>The gene values given explicitly beside a genome (null: not given), keyed by gene name, for <see cref="Problems"/> and <see cref="Apply"/>.</summary>
    public static IReadOnlyDictionary<string, string?> Given(string? hook, string? pacing, string? caption, string? visual, string? palette, string? mood,
        string? voice, string? thumbnail, string? title) => new Dictionary<string, string?>
    {
        [Hook] = hook, [Pacing] = pacing, [Caption] = caption, [Visual] = visual, [Palette] = palette, [Mood] = mood,
        [Voice] = voice, [Thumbnail] = thumbnail, [Title] = title,
    };

    /// <summary>
    /// What is wrong with <paramref name="genome"/>: a gene name not among the nine, a value the gene does not allow, or a value
    /// that contradicts <paramref name="given"/> (the gene values set explicitly beside the genome; null values are not set).
    /// Each problem is one sentence starting with "genome.&lt;gene&gt;".
    /// </summary>
    public static List<string> Problems(IReadOnlyDictionary<string, string> genome, IReadOnlyDictionary<string, string?>? given = null)
    {
        var problems = new List<string>();
        foreach (var (gene, value) in genome)
        {
            if (ValuesOf(gene) is not { } known)
                problems.Add($"genome.{gene}: unknown gene; known genes: {string.Join(", ", Names)}.");
            else if (!known.Contains(value, StringComparer.Ordinal))
                problems.Add($"genome.{gene}: '{value}' is not a {gene} value; known: {string.Join(", ", known)}.");
            else if (given?.GetValueOrDefault(gene) is { } explicitValue && explicitValue != value)
                problems.Add($"genome.{gene}: '{value}' contradicts the explicit value '{explicitValue}'.");
        }
        return problems;
    }

    /// <summary>
    /// The request with the genome's genes set (any subset of the nine). Bad genes, bad values and contradictions with
    /// <paramref name="given"/> throw <see cref="MediaInputException"/> listing every problem.
    /// </summary>
    public static VideoRequest Apply(VideoRequest request, IReadOnlyDictionary<string, string> genome, IReadOnlyDictionary<string, string?>? given = null)
    {
        var problems = Problems(genome, given);
        if (problems.Count > 0) throw new MediaInputException(string.Join(" ", problems));
        foreach (var (gene, value) in genome)
        {
            request = gene switch
            {
                Hook => request with { Hook = value },
                Pacing => request with { Pacing = value },
                Caption => request with { Captions = value },
                Visual => request with { Style = value },
                Palette => request with { Palette = value },
                Mood => request with { Mood = value },
                Voice => request with { Voice = value },
                Thumbnail => request with { Thumbnail = value },
                _ => request with { TitleTemplate = value },
            };
        }
        return request;
    }

    /// <summary>
    /// A genome written as text: <c>hook=question;pacing=fast</c> (pairs separated by ';' or ',', spaces ignored). A pair
    /// without '=' or a gene given twice throws <see cref="MediaInputException"/>; names and values are checked by <see cref="Apply"/>.
    /// </summary>
    public static Dictionary<string, string> Parse(string text)
    {
        var genome = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in text.Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=');
            if (eq <= 0 || eq == part.Length - 1)
                throw new MediaInputException($"Genome part '{part}' is not gene=value (e.g. \"hook=question;pacing=fast\"). Genes: {string.Join(", ", Names)}.");
            var (gene, value) = (part[..eq].Trim(), part[(eq + 1)..].Trim());
            if (!genome.TryAdd(gene, value)) throw new MediaInputException($"Genome gives '{gene}' twice.");
        }
        if (genome.Count == 0) throw new MediaInputException($"The genome is empty; give gene=value pairs such as \"hook=question;pacing=fast\".");
        return genome;
    }

    /// <summary>
    /// The genome a video was actually made with: the script's hook type, the requested style ("auto" when the renderer chose
    /// per scene), the palette used, and each other gene's value or its default (the title is "topic" when no template was asked).
    /// </summary>
    public static IReadOnlyDictionary<string, string> Effective(VideoRequest request, Script script, string paletteName) => new Dictionary<string, string>
    {
        [Hook] = script.HookType,
        [Pacing] = request.Pacing ?? "medium",
        [Caption] = request.Captions ?? "classic",
        [Visual] = request.Style,
        [Palette] = paletteName,
        [Mood] = request.Mood,
        [Voice] = request.Voice ?? "normal",
        [Thumbnail] = request.Thumbnail ?? "title-box",
        [Title] = request.TitleTemplate is { } t && TitleTemplates.Has(script.Language) && script.Writer != "openai-compatible" ? t : "topic",
    };
}
