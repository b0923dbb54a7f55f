using ViraLoop.Media;

namespace ViraLoop.Grains.Messages;

/// <summary>
/// A request for one video, as a tenant submits it to <see cref="IVideoJobGrain.Submit"/>: the media request's fields,
/// plus what the job itself needs (priority, human approval, which visual backend).
/// </summary>
[GenerateSerializer, Immutable, Alias("vl.video-order")]
public sealed record VideoOrder
{
    [Id(0)] public required string Topic { get; init; }
    [Id(1)] public string? Text { get; init; }
    [Id(2)] public IReadOnlyList<SceneOrder>? Scenes { get; init; }
    [Id(3)] public string Language { get; init; } = "en";
    [Id(4)] public double DurationSeconds { get; init; } = 30;
    [Id(5)] public string Style { get; init; } = "auto";
    [Id(6)] public string? Palette { get; init; }
    [Id(7)] public string Mood { get; init; } = "upbeat";
    [Id(8)] public string? Hook { get; init; }
    [Id(9)] public bool Preview { get; init; }
    [Id(10)] public int? Seed { get; init; }

    /// <summary>high, normal or low; null takes the tenant plan's ceiling. Asking above the plan is refused.</summary>
    [Id(11)] public string? Priority { get; init; }

    /// <summary>Stop after the script and wait for <see cref="IVideoJobGrain.Approve"/> or <see cref="IVideoJobGrain.Reject"/>.</summary>
    [Id(12)] public bool RequireApproval { get; init; }

    /// <summary>procedural, openai-image or runway; null takes the cluster's configured default.</summary>
    [Id(13)] public string? VisualBackend { get; init; }

    /// <summary>The creative genes beyond hook, style, palette and mood (see <see cref="VideoRequest"/>); null is the default.</summary>
    [Id(14)] public string? Pacing { get; init; }
    [Id(15)] public string? Captions { get; init; }
    [Id(16)] public string? Voice { get; init; }
    [Id(17)] public string? Thumbnail { get; init; }
    [Id(18)] public string? TitleTemplate { get; init; }


    /// <summary>The experiment that chose this video's genome, and the arm (the genome's hash): engagement is credited to it.</summary>
    [Id(19)] public string? Experiment { get; init; }

    [Id(20)] public string? Arm { get; init; }

    /// <summary>The media pipeline's request.</summary>
    public VideoRequest ToRequest() => new()
    {
        Topic = Topic,
        Text = Text,
        Scenes = Scenes?.Select(s => new SceneInput { Text = s.Text, Keywords = s.Keywords, Visual = s.Visual, Duration = s.Duration }).ToList(),
        Language = Language,
        DurationSeconds = DurationSeconds,
        Style = Style,
        Palette = Palette,
        Mood = Mood,
        Hook = Hook,
        Pacing = Pacing,
        Captions = Captions,
        Voice = Voice,
        Thumbnail = Thumbnail,
        TitleTemplate = TitleTemplate,
        Preview = Preview,
        Seed = Seed,
    };

    public static VideoOrder From(VideoRequest r) => new()
    {
        Topic = r.Topic,
        Text = r.Text,
        Scenes = r.Scenes?.Select(s => new SceneOrder(s.Text, s.Keywords?.ToList(), s.Visual, s.Duration)).ToList(),
        Language = r.Language,
        DurationSeconds = r.DurationSeconds,
        Style = r.Style,
        Palette = r.Palette,
        Mood = r.Mood,
        Hook = r.Hook,
        Pacing = r.Pacing,
        Captions = r.Captions,
        Voice = r.Voice,
        Thumbnail = r.Thumbnail,
        TitleTemplate = r.TitleTemplate,
        Preview = r.Preview,
        Seed = r.Seed,
    };
}

/// <summary>One scene of a scene list given with the order.</summary>
[GenerateSerializer, Immutable, Alias("vl.scene-order")]
public sealed record SceneOrder(
    [property: Id(0)] string Text,
    [property: Id(1)] IReadOnlyList<string>? Keywords,
    [property: Id(2)] string? Visual,
    [property: Id(3)] double? Duration);
