using System.Collections.Concurrent;
using System.Globalization;

namespace ViraLoop.Media.Speech;

/// <summary>
/// The offline voice: espeak-ng with a voice per language. espeak-ng gives no word times, so each word is
/// also voiced alone and its length weights where the word falls in the phrase.
/// </summary>
public sealed class EspeakSynthesizer : ISpeechSynthesizer
{
    public const int NormalWordsPerMinute = 170;
    public const int NormalPitch = 50;
    private static readonly ConcurrentDictionary<(string Voice, int Wpm, string Word), double> WordLengths = new();

    public string Name => "espeak-ng";

    public async Task<SpeechResult> SynthesizeAsync(SpeechRequest request, string outputPath, CancellationToken cancellationToken = default)
    {
        var lang = Languages.Get(request.Language);
        var voice = request.Voice ?? lang.EspeakVoice;
        int wpm = (int)Math.Clamp(NormalWordsPerMinute * request.Speed, 80, 320);
        var raw = outputPath + ".raw.wav";
        int pitch = Math.Clamp(request.Pitch ?? NormalPitch, 0, 99);
        await SpeakAsync(voice, wpm, request.Text, raw, cancellationToken, pitch);
        var wav = WavFile.Read(raw);
        File.Delete(raw);

        var tokens = WordTimings.Tokens(request.Text, request.Language);
        var lengths = new double[tokens.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, tokens.Count), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken },
            async (i, ct) => lengths[i] = await WordLengthAsync(voice, wpm, tokens[i], outputPath + $".w{i}.wav", ct));
        var weights = tokens.Select((t, i) => lengths[i] * 100 + (WordTimings.DefaultWeight(t) - t.Count(char.IsLetterOrDigit) - 1.5) * 0.6).ToList();
        var result = WordTimings.Finish(wav, outputPath, request.Text, voice, language: request.Language);
        var (start, end) = (result.Words.FirstOrDefault()?.Start ?? 0, result.Words.LastOrDefault()?.End ?? result.DurationSeconds);
        return result with { Words = WordTimings.Spread(tokens, weights, start, end) };
    }

    private static async Task SpeakAsync(string voice, int wpm, string text, string path, CancellationToken ct, int pitch = NormalPitch)
    {
        var r = await Tools.RunAsync(Tools.Espeak, ["-v", voice, "-s", wpm.ToString(CultureInfo.InvariantCulture), "-p", pitch.ToString(CultureInfo.InvariantCulture),
            "-w", path, "--stdin"], text, ct);
        if (r.ExitCode != 0 || !File.Exists(path))
            throw new InvalidOperationException($"espeak-ng failed (voice {voice}): {r.StdErr.Trim()}");
    }

    private static async Task<double> WordLengthAsync(string voice, int wpm, string token, string tmp, CancellationToken ct)
    {
        // Letters with their combining marks (Devanagari vowel signs, Arabic harakat, Thai tone marks), digits, apostrophes.
        var word = new string(token.Where(c => char.IsLetterOrDigit(c) || c is '\'' or '’' or '-'
            || char.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark).ToArray());
        if (word.Length == 0) return 0;
        if (WordLengths.TryGetValue((voice, wpm, word), out var known)) return known;
        await SpeakAsync(voice, wpm, word, tmp, ct);
        var (s, e) = WavFile.Read(tmp).VoicedSpan();
        File.Delete(tmp);
        return WordLengths[(voice, wpm, word)] = Math.Max(0.05, e - s);
    }
}
