using System.Text.Json.Serialization;

namespace ViraLoop.Media;

/// <summary>What a person asks for. Exactly one of <see cref="Text"/> and <see cref="Scenes"/> may be set besides the topic.</summary>
public sealed record VideoRequest
{
    public required string Topic { get; init; }
    /// <summary>The user's own text or bullet points: the writer keeps these facts and adds a hook and a call to action.</summary>
    public string? Text { get; init; }
    /// <summary>A complete scene list: used as is.</summary>
    public IReadOnlyList<SceneInput>? Scenes { get; init; }
    public string Language { get; init; } = "en";
    public double DurationSeconds { get; init; } = 30;
    /// <summary>auto, gradient, particles, geometric, kinetic or zoom.</summary>
    public string Style { get; init; } = "auto";
    /// <summary>Palette name (sunset, ocean, neon, forest, mono) or null for one derived from the topic.</summary>
    public string? Palette { get; init; }
    /// <summary>Music mood: upbeat, calm, dramatic, playful.</summary>
    public string Mood { get; init; } = "upbeat";
    /// <summary>question, bold-claim, number, story, contrarian, or null to pick one from the topic.</summary>
    public string? Hook { get; init; }
    /// <summary>Scene length: fast (short scenes, more cuts), medium, slow (fewer, longer scenes); null is medium.</summary>
    public string? Pacing { get; init; }
    /// <summary>Caption style: classic (outlined, spoken word highlighted), boxed (text on a dark box), karaoke (words fill as said); null is classic.</summary>
    public string? Captions { get; init; }
    /// <summary>Voice: normal, fast (a higher rate) or deep (a lower pitch, a little slower); null is normal.</summary>
    public string? Voice { get; init; }
    /// <summary>Thumbnail style: title-box (the title on a dark box), big-word (one huge keyword), clean (a small title, no box); null is title-box.</summary>
    public string? Thumbnail { get; init; }
    /// <summary>Title template: question, how-to or number; null keeps the topic as the title.</summary>
    public string? TitleTemplate { get; init; }
    public bool Preview { get; init; }
    public int? Seed { get; init; }
}

/// <summary>One scene given by the user (short-video-maker style scene list).</summary>
public sealed record SceneInput
{
    [JsonPropertyName("text")] public string Text { get; init; } = "";
    [JsonPropertyName("keywords")] public IReadOnlyList<string>? Keywords { get; init; }
    [JsonPropertyName("visual")] public string? Visual { get; init; }
    [JsonPropertyName("duration")] public double? Duration { get; init; }
}

public enum SceneKind { Hook, Body, CallToAction }

/// <summary>One scene of a script: what is said, what is shown, and for how long (a first estimate; the voice decides).</summary>
public sealed record SceneScript(
    int Index,
    SceneKind Kind,
    string Narration,
    IReadOnlyList<string> Keywords,
    string VisualDescription,
    double DurationSeconds);

public sealed record Script(string Title, string Language, string HookType, IReadOnlyList<SceneScript> Scenes, string Writer);

/// <summary>A bad request: the CLI prints the message and exits with code 2; the API answers 400.</summary>
public sealed class MediaInputException(string message) : Exception(message);

/// <summary>A tool the pipeline needs is missing; the message says how to install it.</summary>
public sealed class MissingToolException(string tool, string install) : Exception($"{tool} is not installed. Install it with: {install}")
{
    public string Tool { get; } = tool;
}

/// <summary>Progress of one pipeline step, 0..1.</summary>
public sealed record StepProgress(string Step, double Fraction, string? Detail = null);
