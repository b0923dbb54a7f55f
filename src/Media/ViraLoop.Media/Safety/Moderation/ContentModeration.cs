namespace ViraLoop.Media.Safety.Moderation;

/// <summary>
/// The moderation port: the offline rules always, and a remote moderation endpoint when one is configured. A remote
/// endpoint that fails does not stop the job: the rules' verdict stands and a note says the endpoint was not reached.
/// </summary>
public sealed class ContentModeration(IContentModerator? remote = null, RuleModerator? rules = null)
{
    private static readonly Lazy<RuleModerator> DefaultRules = new(() => new RuleModerator());

    private readonly RuleModerator rules = rules ?? DefaultRules.Value;

    /// <summary>The offline rules only.</summary>
    public static ContentModeration Offline { get; } = new();

    public IContentModerator? Remote => remote;

    /// <summary>The rules, and the OpenAI-compatible endpoint when <c>VIRALOOP_MODERATION=openai</c> (see <see cref="OpenAiModerationOptions.FromEnvironment"/>).</summary>
    public static ContentModeration FromEnvironment(HttpClient http) =>
        OpenAiModerationOptions.FromEnvironment() is { } options ? new ContentModeration(new OpenAiModerator(http, options)) : Offline;

    /// <summary>Which checkers look at text (<c>rules</c>, <c>rules+openai</c>).</summary>
    public string Describe() => remote is null ? rules.Name : $"{rules.Name}+{remote.Name}";

    public async Task<ModerationVerdict> CheckTextAsync(IReadOnlyList<ModerationText> texts, ModerationPolicy policy, CancellationToken ct = default)
    {
        var texts2 = texts.Where(t => !string.IsNullOrWhiteSpace(t.Text)).ToList();
        if (texts2.Count == 0) return ModerationVerdict.Clean;
        var findings = new List<ModerationFinding>(await rules.CheckTextAsync(texts2, ct));
        var notes = new List<string>();
        if (remote is not null)
        {
            try
            {
                findings.AddRange(await remote.CheckTextAsync(texts2, ct));
            }
            catch (ModerationUnavailableException e)
            {
                notes.Add($"{remote.Name} moderation was not reached ({e.Message}); the offline rules decided");
            }
        }
        return Decide(findings, policy, notes);
    }

    /// <summary>Findings in an image from the remote endpoint (the rules cannot see images); none without one.</summary>
    public async Task<ModerationVerdict> CheckImageAsync(ReadOnlyMemory<byte> image, string mediaType, string field, ModerationPolicy policy, CancellationToken ct = default)
    {
        if (remote is not { ChecksImages: true }) return ModerationVerdict.Clean;
        try
        {
            return Decide(await remote.CheckImageAsync(image, mediaType, field, ct), policy, []);
        }
        catch (ModerationUnavailableException e)
        {
            return new ModerationVerdict([], null, [$"{remote.Name} image moderation was not reached ({e.Message})"]);
        }
    }

    /// <summary>The verdict of a policy on findings: the most severe refused finding blocks (the earliest field among equals).</summary>
    public static ModerationVerdict Decide(IReadOnlyList<ModerationFinding> findings, ModerationPolicy policy, IReadOnlyList<string> notes)
    {
        var blocking = findings.Where(policy.Refuses).OrderByDescending(f => f.Severity).FirstOrDefault();
        return new ModerationVerdict(findings, blocking, notes);
    }

    /// <summary>Every text of an order: the topic, the user's text, and each scene's text, keywords and visual.</summary>
    public static IReadOnlyList<ModerationText> TextsOf(VideoRequest request)
    {
        var texts = new List<ModerationText> { new("topic", request.Topic, request.Language) };
        if (request.Text is { } text) texts.Add(new("text", text, request.Language));
        if (request.Scenes is { } scenes)
            for (var i = 0; i < scenes.Count; i++)
            {
                texts.Add(new($"scene {i + 1} text", scenes[i].Text, request.Language));
                if (scenes[i].Keywords is { Count: > 0 } k) texts.Add(new($"scene {i + 1} keywords", string.Join(", ", k), request.Language));
                if (scenes[i].Visual is { } v) texts.Add(new($"scene {i + 1} visual", v, request.Language));
            }
        return texts;
    }

    /// <summary>Every text of a written script: its title, and each scene's narration, keywords and visual description.</summary>
    public static IReadOnlyList<ModerationText> TextsOf(Script script)
    {
        var texts = new List<ModerationText> { new("title", script.Title, script.Language) };
        foreach (var scene in script.Scenes)
        {
            texts.Add(new($"scene {scene.Index + 1} narration", scene.Narration, script.Language));
            if (scene.Keywords.Count > 0) texts.Add(new($"scene {scene.Index + 1} keywords", string.Join(", ", scene.Keywords), script.Language));
            texts.Add(new($"scene {scene.Index + 1} visual", scene.VisualDescription, script.Language));
        }
        return texts;
    }
}

/// <summary>A remote moderation endpoint could not be asked (down, timed out, refused the key, answered nonsense).</summary>
public sealed class ModerationUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
