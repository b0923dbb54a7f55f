namespace ViraLoop.Media;

/// <summary>A language the offline pipeline supports end to end: writer templates, a voice, and letters the caption font has.</summary>
public sealed record LanguageInfo(string Code, string Name, string EspeakVoice, double WordsPerSecond);

public static class Languages
{
    public static readonly IReadOnlyDictionary<string, LanguageInfo> All = new Dictionary<string, LanguageInfo>(StringComparer.OrdinalIgnoreCase)
    {
        ["en"] = new("en", "English", "en-us", 2.55),
        ["pl"] = new("pl", "Polski", "pl", 2.1),
    };

    public static LanguageInfo Get(string code) =>
        All.TryGetValue(code ?? "", out var l) ? l
            : throw new MediaInputException($"Unknown language '{code}'. Supported: {string.Join(", ", All.Keys)}.");
}
