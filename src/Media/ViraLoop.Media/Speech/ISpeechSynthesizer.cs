namespace ViraLoop.Media.Speech;

public sealed record WordTiming(string Word, double Start, double End);

/// <summary>A voiced phrase: a WAV trimmed to its speech, its duration and when each word is said.</summary>
public sealed record SpeechResult(string AudioPath, double DurationSeconds, IReadOnlyList<WordTiming> Words, string Voice);

/// <summary>
/// <paramref name="Speed"/> is a multiplier of the voice's normal rate; <paramref name="Pitch"/> is espeak-ng's base pitch
/// (0–99, its default 50); engines without a pitch setting ignore it.
/// </summary>
public sealed record SpeechRequest(string Text, string Language, double Speed = 1.0, string? Voice = null, int? Pitch = null);

public interface ISpeechSynthesizer
{
    string Name { get; }
    Task<SpeechResult> SynthesizeAsync(SpeechRequest request, string outputPath, CancellationToken cancellationToken = default);
}

/// <summary>Word timing where the engine gives none: words are spread over the voiced span by weight.</summary>
public static class WordTimings
{
    /// <summary>The words a voice's timings are given for: split on spaces, or by ICU where the language runs words together.</summary>
    public static IReadOnlyList<string> Tokens(string text, string? language = null) =>
        Text.WordBreaker.Words(text, language is not null && Languages.TryGet(language, out var l) ? l : null);

    /// <summary>Weight of a token: its letters, plus a pause after punctuation.</summary>
    public static double DefaultWeight(string token)
    {
        double w = token.Count(char.IsLetterOrDigit) + 1.5;
        if (token.Length == 0) return w;
        // Pauses after a clause or a sentence, in Latin, Arabic, Devanagari and CJK punctuation.
        if (token[^1] is ',' or ';' or ':' or '،' or '؛' or '，' or '、' or '；' or '：') w += 3;
        if (token[^1] is '.' or '!' or '?' or '…' or '؟' or '।' or '。' or '！' or '？') w += 5;
        return w;
    }

    public static IReadOnlyList<WordTiming> Spread(IReadOnlyList<string> tokens, IReadOnlyList<double> weights, double start, double end)
    {
        double total = weights.Sum();
        var list = new List<WordTiming>(tokens.Count);
        double t = start;
        for (int i = 0; i < tokens.Count; i++)
        {
            double d = total <= 0 ? 0 : (end - start) * weights[i] / total;
            list.Add(new WordTiming(tokens[i], Math.Round(t, 3), Math.Round(t + d, 3)));
            t += d;
        }
        return list;
    }

    /// <summary>Trims the synthesized WAV to its speech (keeping a short tail) and shifts word timings to match.</summary>
    public static SpeechResult Finish(WavFile wav, string outputPath, string text, string voice, Func<string, double>? weight = null,
        IReadOnlyList<WordTiming>? exact = null, string? language = null)
    {
        var (start, end) = wav.VoicedSpan();
        if (end <= start) throw new InvalidOperationException($"The voice engine produced silence for \"{text}\".");
        double from = Math.Max(0, start - 0.03), to = Math.Min(wav.DurationSeconds, end + 0.08);
        var trimmed = wav.Slice(from, to);
        trimmed.Write(outputPath);
        var tokens = Tokens(text, language);
        var words = exact is not null
            ? exact.Select(w => w with { Start = Math.Round(Math.Max(0, w.Start - from), 3), End = Math.Round(Math.Max(0, w.End - from), 3) }).ToList()
            : Spread(tokens, tokens.Select(weight ?? DefaultWeight).ToList(), start - from, end - from);
        return new SpeechResult(outputPath, trimmed.DurationSeconds, words, voice);
    }
}
