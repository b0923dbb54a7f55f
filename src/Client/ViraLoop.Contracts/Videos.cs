namespace ViraLoop.Contracts;

/// <summary>The body of <c>POST /v1/videos</c>. Unknown fields are refused, so a misspelt option never passes unnoticed.</summary>
public sealed record CreateVideoBody
{
    /// <summary>What the video is about (also its title when a scene list is given). 1–200 characters.</summary>
    public string? Topic { get; init; }

    /// <summary>Narration to speak as written (split into scenes), instead of a written script. Up to 10,000 characters.</summary>
    public string? Text { get; init; }

    /// <summary>The scenes as given: each one's narration, keywords, visual and seconds. Up to 30.</summary>
    public List<SceneBody>? Scenes { get; init; }

    public string? Language { get; init; }
    public double? DurationSeconds { get; init; }
    public string? Style { get; init; }
    public string? Palette { get; init; }

    /// <summary>The music's mood (upbeat, calm, dramatic…).</summary>
    public string? Music { get; init; }

    public string? Hook { get; init; }

    /// <summary>Scene length: fast, medium or slow.</summary>
    public string? Pacing { get; init; }

    /// <summary>Caption style: classic, boxed or karaoke.</summary>
    public string? Captions { get; init; }

    /// <summary>Voice: normal, fast or deep.</summary>
    public string? Voice { get; init; }

    /// <summary>Thumbnail style: title-box, big-word or clean.</summary>
    public string? Thumbnail { get; init; }

    /// <summary>Title template: question, how-to or number (default: the topic).</summary>
    public string? TitleTemplate { get; init; }

    /// <summary>
    /// Creative genes by name (any of hook, pacing, caption, visual, palette, mood, voice, thumbnail, title), mapped onto the
    /// fields above; a gene that contradicts a field given beside it is refused.
    /// </summary>
    public Dictionary<string, string>? Genome { get; init; }

    /// <summary>A small, fast render (540×960) instead of 1080×1920.</summary>
    public bool? Preview { get; init; }

    public int? Seed { get; init; }

    /// <summary>high, standard or low; at most the plan's ceiling. Default: the ceiling.</summary>
    public string? Priority { get; init; }

    /// <summary>Stop after the script and wait for approve or reject.</summary>
    public bool? RequireApproval { get; init; }

    /// <summary>procedural, openai-image or runway; default: the cluster's.</summary>
    public string? VisualBackend { get; init; }

    /// <summary>An experiment of the tenant's: it chooses the video's creative genes (leave the gene fields out).</summary>
    public string? Experiment { get; init; }
}

public sealed record SceneBody
{
    public string? Text { get; init; }
    public List<string>? Keywords { get; init; }
    public string? Visual { get; init; }
    public double? Duration { get; init; }
}

/// <summary>The body of approve: optionally an edited script (same scene count).</summary>
public sealed record ApproveBody
{
    public string? Title { get; init; }
    public List<ApprovedScene>? Scenes { get; init; }
}

public sealed record ApprovedScene
{
    public string? Narration { get; init; }
    public List<string>? Keywords { get; init; }
}

public sealed record ReasonBody
{
    public string? Reason { get; init; }
}

/// <summary>
/// A video job as the API shows it. <see cref="NearDuplicate"/>, a warning on a finished video: the earlier video of the
/// same tenant whose DNA (picture, motion, sound, words) is at least the configured threshold (0.90) similar to this one's.
/// The video is still delivered.
/// </summary>
public sealed record VideoView(
    string Id,
    string Status,
    double Percent,
    string? Step,
    double? EtaSeconds,
    string? Error,
    string? Title,
    int Seed,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<SceneView> Scenes,
    IReadOnlyDictionary<string, string> Links,
    RejectionView? Rejection = null,
    ProvenanceView? Provenance = null,
    SimilarVideoView? NearDuplicate = null,
    VideoExperimentView? Experiment = null);

/// <summary>The experiment that chose a video's genes, and the arm it was credited to.</summary>
public sealed record VideoExperimentView(string Id, string Arm);

/// <summary>
/// The answer of <c>GET /v1/videos/{id}/similar?k=</c>: the caller's other videos most like <see cref="Id"/>, most similar
/// first, at most <see cref="K"/>.
/// </summary>
public sealed record SimilarVideosView(string Id, int K, IReadOnlyList<SimilarVideoView> Items);

/// <summary>One similar video: the cosine similarity of the two DNAs (1: the same) and of each block alone (colour, motion, audio, script).</summary>
public sealed record SimilarVideoView(string Id, double Similarity, double Colour, double Motion, double Audio, double Script, string Link);

/// <summary>
/// The C2PA manifest the MP4 carries: its label, the claim generator, who signed it (and the certificate's issuer), when,
/// and the actions it records (c2pa.created with the IPTC digital source type, c2pa.edited…).
/// </summary>
public sealed record ProvenanceView(string ManifestLabel, string ClaimGenerator, string Signer, string Issuer, DateTimeOffset SignedAt, IReadOnlyList<string> Actions);

/// <summary>Why the content policy refused a video: category, severity (1–3), field, the passage as written, checker and stage (order, script, edit).</summary>
public sealed record RejectionView(string Category, int Severity, string Field, string Passage, string Source, string Stage);

public sealed record SceneView(int Index, string Status, string? Preview, string? Backend, string? Note);

/// <summary>One progress event as the live endpoints send it.</summary>
public sealed record ProgressView(
    long Sequence,
    string Status,
    double Percent,
    string? Step,
    double? StepFraction,
    SceneView? Scene,
    double? EtaSeconds,
    string? Error,
    DateTimeOffset At);

public sealed record VideoPage(IReadOnlyList<VideoView> Items, string? NextCursor, int Total);

/// <summary>What a live subscriber receives: first the job as it stands (<c>snapshot</c>), then progress events (<c>progress</c>) in order.</summary>
public sealed record LiveEvent(string Type, long Sequence, VideoView? Snapshot, ProgressView? Progress);
