using ViraLoop.Media.Speech;
using ViraLoop.Media.Text;

namespace ViraLoop.Media.Pipeline.Steps;

/// <summary>
/// One scene's narration to speak, at <paramref name="Speed"/> times the voice's normal rate, into <paramref name="OutputPath"/>
/// (a WAV), in the voice gene's <paramref name="Tone"/> (normal, fast, deep; null is normal).
/// </summary>
public sealed record SceneVoiceSpec(int SceneIndex, string Narration, string Language, double Speed, string OutputPath, string? Tone = null);

/// <summary>The scene's voice file, its length, when each word is said (seconds from the file's start) and the voice used.</summary>
public sealed record SceneVoiceResult(int SceneIndex, string AudioPath, double DurationSeconds, IReadOnlyList<WordTiming> Words, string Voice, double Speed);

/// <summary>Step 2, per scene: speaks one scene's narration. Scenes are independent, so callers may run them in parallel anywhere.</summary>
public sealed class SceneVoiceStep(ISpeechSynthesizer voice)
{
    /// <summary>The voice engine's name (recorded in the manifest).</summary>
    public string Engine => voice.Name;

    /// <summary>The voice gene's rate multiplier: fast ×1.3, deep ×0.92 (a deep voice speaks a little slower), normal ×1.</summary>
    public static double RateOf(string? tone) => tone switch { "fast" => 1.3, "deep" => 0.92, _ => 1.0 };

    /// <summary>The voice gene's pitch (espeak-ng 0–99): deep 18, else the engine's default. Engines without a pitch setting ignore it.</summary>
    public static int? PitchOf(string? tone) => tone == "deep" ? 18 : null;

    public async Task<SceneVoiceResult> RunAsync(SceneVoiceSpec spec, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(spec.Narration)) throw new MediaInputException($"Scene {spec.SceneIndex + 1} has no narration to speak.");
        if (spec.Speed is <= 0 or > 4) throw new ArgumentOutOfRangeException(nameof(spec), spec.Speed, "The voice speed must be in (0, 4].");
        if (Path.GetDirectoryName(Path.GetFullPath(spec.OutputPath)) is { } dir) Directory.CreateDirectory(dir);
        // Emoji are shown, never read aloud: the voice gets the narration without them, and the captions' words (emoji
        // included) are timed from the spoken ones.
        var spoken = Emoji.StripForSpeech(spec.Narration);
        if (string.IsNullOrWhiteSpace(spoken)) throw new MediaInputException($"Scene {spec.SceneIndex + 1} has only emoji: give it words to speak.");
        var r = await voice.SynthesizeAsync(new SpeechRequest(spoken, spec.Language, Math.Min(4, spec.Speed * RateOf(spec.Tone)), Pitch: PitchOf(spec.Tone)), spec.OutputPath, cancellationToken);
        var words = ReferenceEquals(spoken, spec.Narration) ? r.Words : Realign(WordTimings.Tokens(spec.Narration, spec.Language), r.Words);
        return new SceneVoiceResult(spec.SceneIndex, r.AudioPath, r.DurationSeconds, words, r.Voice, spec.Speed);
    }

    /// <summary>
    /// The narration's words timed from the spoken words: a word that lost only emoji keeps the spoken word's times, an
    /// emoji-only word takes no time of its own (shown with the word before it, or the next one at the start).
    /// </summary>
    internal static IReadOnlyList<WordTiming> Realign(IReadOnlyList<string> narration, IReadOnlyList<WordTiming> spoken)
    {
        var list = new List<WordTiming>(narration.Count);
        int k = 0;
        foreach (var word in narration)
        {
            bool emojiOnly = Emoji.StripForSpeech(word).Length == 0;
            if (!emojiOnly && k < spoken.Count)
            {
                list.Add(new WordTiming(word, spoken[k].Start, spoken[k].End));
                k++;
            }
            else
            {
                double at = list.Count > 0 ? list[^1].End : spoken.Count > 0 ? spoken[0].Start : 0;
                list.Add(new WordTiming(word, at, at));
            }
        }
        return list;
    }
}
