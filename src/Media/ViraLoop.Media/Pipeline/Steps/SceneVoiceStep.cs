using ViraLoop.Media.Speech;

namespace ViraLoop.Media.Pipeline.Steps;

/// <summary>One scene's narration to speak, at <paramref name="Speed"/> times the voice's normal rate, into <paramref name="OutputPath"/> (a WAV).</summary>
public sealed record SceneVoiceSpec(int SceneIndex, string Narration, string Language, double Speed, string OutputPath);

/// <summary>The scene's voice file, its length, when each word is said (seconds from the file's start) and the voice used.</summary>
public sealed record SceneVoiceResult(int SceneIndex, string AudioPath, double DurationSeconds, IReadOnlyList<WordTiming> Words, string Voice, double Speed);

/// <summary>Step 2, per scene: speaks one scene's narration. Scenes are independent, so callers may run them in parallel anywhere.</summary>
public sealed class SceneVoiceStep(ISpeechSynthesizer voice)
{
    /// <summary>The voice engine's name (recorded in the manifest).</summary>
    public string Engine => voice.Name;

    public async Task<SceneVoiceResult> RunAsync(SceneVoiceSpec spec, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(spec.Narration)) throw new MediaInputException($"Scene {spec.SceneIndex + 1} has no narration to speak.");
        if (spec.Speed is <= 0 or > 4) throw new ArgumentOutOfRangeException(nameof(spec), spec.Speed, "The voice speed must be in (0, 4].");
        if (Path.GetDirectoryName(Path.GetFullPath(spec.OutputPath)) is { } dir) Directory.CreateDirectory(dir);
        var r = await voice.SynthesizeAsync(new SpeechRequest(spec.Narration, spec.Language, spec.Speed), spec.OutputPath, cancellationToken);
        return new SceneVoiceResult(spec.SceneIndex, r.AudioPath, r.DurationSeconds, r.Words, r.Voice, spec.Speed);
    }
}
