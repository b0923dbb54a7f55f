using ViraLoop.Media.Assembly;
using ViraLoop.Media.Captions;
using ViraLoop.Media.Music;
using ViraLoop.Media.Visuals;

namespace ViraLoop.Media.Pipeline.Steps;

/// <summary>
/// Everything the finished MP4 is made of: the timed scenes, each scene's voice and visual source (procedural or a clip),
/// the music, the captions to burn in (an ASS document; an empty one burns nothing), the output format, and where to
/// write it. <paramref name="WorkDirectory"/> takes scratch files.
/// </summary>
public sealed record AssemblySpec(
    IReadOnlyList<TimedScene> Scenes,
    IReadOnlyList<SceneVoiceResult> Voices,
    IReadOnlyList<SceneVisual> Visuals,
    MusicSpec Music,
    int Seed,
    string CaptionsAss,
    RenderSettings Settings,
    string OutputPath,
    string WorkDirectory);

/// <summary>The MP4 (H.264 + AAC, faststart), its length and how the soundtrack was levelled.</summary>
public sealed record AssemblyResult(string VideoPath, double DurationSeconds, AudioMixer.MixStats Loudness);

/// <summary>
/// Step 5: the soundtrack (voices on the timeline, music ducked under them, −14 LUFS, AAC) and the picture (every scene's
/// background — procedural frames or a clip's decoded frames — in one frame stream, captions burned in, H.264) are each
/// encoded once, at the same time, then muxed without re-encoding.
/// </summary>
public sealed class AssemblyStep
{
    public const string CaptionsFile = "captions.ass";

    public async Task<AssemblyResult> RunAsync(AssemblySpec spec, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        int n = spec.Scenes.Count;
        if (n == 0) throw new ArgumentException("There are no scenes to assemble.", nameof(spec));
        if (spec.Voices.Count != n || spec.Visuals.Count != n)
            throw new ArgumentException($"{n} scenes need {n} voices and {n} visuals; got {spec.Voices.Count} and {spec.Visuals.Count}.", nameof(spec));
        var settings = spec.Settings;
        double duration = spec.Scenes[^1].End;
        var work = spec.WorkDirectory;
        Directory.CreateDirectory(work);
        await File.WriteAllTextAsync(Path.Combine(work, CaptionsFile), spec.CaptionsAss, cancellationToken);

        var voices = spec.Scenes.Select((t, i) => new VoiceClip(spec.Voices[i].AudioPath, t.Start + t.VoiceOffset, spec.Voices[i].DurationSeconds)).ToList();
        var audioPath = Path.Combine(work, "audio.m4a");
        var soundtrack = Task.Run(() => AudioMixer.MixAsync(voices, MusicSynthesizer.Generate(spec.Music, duration + 0.5, AudioMixer.Rate, spec.Seed),
            duration, audioPath, cancellationToken), cancellationToken);
        var picturePath = Path.Combine(work, "picture.mp4");
        var clips = await ClipFrames.DecodeScenesAsync(spec.Visuals, settings.BackgroundWidth, settings.BackgroundHeight, settings.Fps, work,
            cancellationToken: cancellationToken);
        try
        {
            var bg = new BackgroundRenderer(settings.BackgroundWidth, settings.BackgroundHeight, settings.Fps, spec.Visuals, clips: clips);
            var args = FfmpegAssembler.BuildArguments(settings, bg, CaptionsFile, duration, picturePath);
            await FfmpegAssembler.RunAsync(args, bg, work, duration, progress, cancellationToken);
        }
        finally
        {
            foreach (var c in clips.Values) c.Dispose();
        }
        var loudness = await soundtrack;
        var tmpVideo = Path.Combine(work, $"video-{Guid.NewGuid():N}.mp4");
        await FfmpegAssembler.MuxAsync(picturePath, audioPath, duration, tmpVideo, cancellationToken);
        if (Path.GetDirectoryName(Path.GetFullPath(spec.OutputPath)) is { } dir) Directory.CreateDirectory(dir);
        File.Move(tmpVideo, spec.OutputPath, overwrite: true);
        return new AssemblyResult(spec.OutputPath, duration, loudness);
    }
}
