using System.Globalization;

namespace ViraLoop.Media.Safety.Moderation;

/// <summary>What a content policy rules on. Names in APIs: violence, hate, sexual, self-harm, dangerous, harassment.</summary>
public enum ModerationCategory
{
    Violence,
    Hate,
    Sexual,
    SelfHarm,
    Dangerous,
    Harassment,
}

/// <summary>
/// How strictly a category is enforced; the value is the lowest finding severity that is refused. Severity 1 is a
/// mention (a war documentary's "killed"), 2 clear harmful content, 3 severe (threats, instructions, incitement).
/// </summary>
public enum ModerationLevel
{
    Strict = 1,
    Standard = 2,
    Relaxed = 3,
}

/// <summary>
/// One piece of text to check, where it came from (<c>topic</c>, <c>text</c>, <c>scene 2 narration</c>…) and the language it
/// is written in, when known (the rules of that language and of English apply; unknown: every language's rules).
/// </summary>
public sealed record ModerationText(string Field, string Text, string? Language = null);

/// <summary>
/// Something a checker found: its category and severity (1–3), the field, the passage (the offending words with a little
/// context, as written), which checker (<c>rules</c> or the remote endpoint's name) and the rule or score behind it.
/// </summary>
public sealed record ModerationFinding(ModerationCategory Category, int Severity, string Field, string Passage, string Source, string? Reason = null);

/// <summary>The findings of a check and the one that decides it (the most severe refused finding), if any.</summary>
public sealed record ModerationVerdict(IReadOnlyList<ModerationFinding> Findings, ModerationFinding? Blocking, IReadOnlyList<string> Notes)
{
    public bool Allowed => Blocking is null;

    public static readonly ModerationVerdict Clean = new([], null, []);

    public string Describe() => Blocking is { } b
        ? $"refused by the content policy ({ModerationCategories.Name(b.Category)}) in the {b.Field}: \u201c{b.Passage}\u201d"
        : Findings.Count == 0 ? "allowed: nothing found" : $"allowed: {Findings.Count} finding(s) below the policy's level";
}

/// <summary>Content a policy refuses: the CLI exits with 2 and says why; the API answers 400 with a problem type naming the category.</summary>
public sealed class ContentRefusedException(ModerationFinding finding)
    : Exception($"The content policy refuses this ({ModerationCategories.Name(finding.Category)}) in the {finding.Field}: \u201c{finding.Passage}\u201d.")
{
    public ModerationFinding Finding { get; } = finding;
}

public static class ModerationCategories
{
    public static string Name(ModerationCategory c) => c switch
    {
        ModerationCategory.SelfHarm => "self-harm",
        _ => c.ToString().ToLowerInvariant(),
    };

    public static ModerationCategory? Parse(string? name) =>
        Enum.GetValues<ModerationCategory>().Cast<ModerationCategory?>().FirstOrDefault(c => Name(c!.Value) == name?.Trim().ToLowerInvariant());

    public static string LevelName(ModerationLevel l) => l.ToString().ToLowerInvariant();

    public static ModerationLevel? ParseLevel(string? name) =>
        Enum.GetValues<ModerationLevel>().Cast<ModerationLevel?>().FirstOrDefault(l => LevelName(l!.Value) == name?.Trim().ToLowerInvariant());
}

/// <summary>
/// A tenant's content policy: a level per category. Tenants may be stricter anywhere; looser only within limits: hate,
/// sexual content and self-harm never below <see cref="ModerationLevel.Standard"/> (severe findings are refused at every level).
/// </summary>
public sealed record ModerationPolicy
{
    public static readonly ModerationPolicy Default = new();

    /// <summary>The loosest level a tenant may choose for each category.</summary>
    public static readonly IReadOnlyDictionary<ModerationCategory, ModerationLevel> Loosest = new Dictionary<ModerationCategory, ModerationLevel>
    {
        [ModerationCategory.Violence] = ModerationLevel.Relaxed,
        [ModerationCategory.Dangerous] = ModerationLevel.Relaxed,
        [ModerationCategory.Harassment] = ModerationLevel.Relaxed,
        [ModerationCategory.Hate] = ModerationLevel.Standard,
        [ModerationCategory.Sexual] = ModerationLevel.Standard,
        [ModerationCategory.SelfHarm] = ModerationLevel.Standard,
    };

    public IReadOnlyDictionary<ModerationCategory, ModerationLevel> Levels { get; init; } = new Dictionary<ModerationCategory, ModerationLevel>();

    public ModerationLevel LevelOf(ModerationCategory c) => Levels.GetValueOrDefault(c, ModerationLevel.Standard);

    public bool Refuses(ModerationFinding f) => f.Severity >= (int)LevelOf(f.Category);

    /// <summary>The settings as names (category → level), only those that differ from standard.</summary>
    public IReadOnlyDictionary<string, string> ToSettings() =>
        Levels.Where(kv => kv.Value != ModerationLevel.Standard).OrderBy(kv => kv.Key)
            .ToDictionary(kv => ModerationCategories.Name(kv.Key), kv => ModerationCategories.LevelName(kv.Value));

    /// <summary>
    /// A policy from settings (category name → strict|standard|relaxed); unknown names, unknown levels and levels looser
    /// than a category allows are refused with <see cref="MediaInputException"/> saying which and what is allowed.
    /// </summary>
    public static ModerationPolicy FromSettings(IReadOnlyDictionary<string, string>? settings)
    {
        if (settings is null || settings.Count == 0) return Default;
        var levels = new Dictionary<ModerationCategory, ModerationLevel>();
        foreach (var (name, value) in settings)
        {
            var category = ModerationCategories.Parse(name) ?? throw new MediaInputException(
                $"Unknown moderation category '{name}': use {string.Join(", ", Enum.GetValues<ModerationCategory>().Select(ModerationCategories.Name))}.");
            var level = ModerationCategories.ParseLevel(value) ?? throw new MediaInputException(
                $"Unknown moderation level '{value}' for {ModerationCategories.Name(category)}: use strict, standard or relaxed.");
            if ((int)level > (int)Loosest[category])
                throw new MediaInputException(string.Create(CultureInfo.InvariantCulture,
                    $"{ModerationCategories.Name(category)} cannot be {ModerationCategories.LevelName(level)}: the loosest allowed is {ModerationCategories.LevelName(Loosest[category])}."));
            levels[category] = level;
        }
        return new ModerationPolicy { Levels = levels };
    }
}

/// <summary>A checker of text (and, where it can, images): the offline rules, or a remote moderation endpoint.</summary>
public interface IContentModerator
{
    string Name { get; }

    /// <summary>Every finding in the texts, whatever its severity (the policy decides what is refused).</summary>
    Task<IReadOnlyList<ModerationFinding>> CheckTextAsync(IReadOnlyList<ModerationText> texts, CancellationToken ct = default);

    /// <summary>Findings in an image (PNG or JPEG bytes); a checker that cannot see images returns none.</summary>
    Task<IReadOnlyList<ModerationFinding>> CheckImageAsync(ReadOnlyMemory<byte> image, string mediaType, string field, CancellationToken ct = default);

    /// <summary>Whether <see cref="CheckImageAsync"/> looks at images at all.</summary>
    bool ChecksImages { get; }
}
