using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using ViraLoop.Media.Assembly;
using ViraLoop.Media.Captions;
using ViraLoop.Media.Music;
using ViraLoop.Media.Speech;
using ViraLoop.Media.Visuals;
using ViraLoop.Media.Writing;

namespace ViraLoop.Media.Pipeline;

/// <summary>
/// Topic in, finished short out: script → voice → timeline → captions → music → one encode → thumbnail → manifest.
/// Each step is a plain component behind a port; this class only wires them and reports progress.
/// </summary>
public sealed class VideoPipeline(IScriptWriter writer, ISpeechSynthesizer voice)
{
    public const string VideoFile = "video.mp4";
    public const string ThumbnailFile = "thumbnail.jpg";
    public const string ManifestFile = "manifest.json";
    private const double SceneGap = 0.35, HookGap = 0.2, MaxSpeed = 1.45;

    public static VideoPipeline CreateOffline() => new(new TemplateScriptWriter(), new EspeakSynthesizer());

    /// <summary>Burn captions and keywords into the frames (tests turn it off to compare the caption band with and without).</summary>
    public bool BurnCaptions { get; init; } = true;

    public const string CaptionsFile = "captions.ass";
    public const string HlsPlaylist = "hls/index.m3u8";

    public async Task<VideoResult> RunAsync(VideoRequest request, string outputDirectory, IProgress<StepProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        TemplateScriptWriter.Validate(request);
        var seed = request.Seed ?? TemplateScriptWriter.StableHash(request.Topic.Trim());
        var motif = VisualMotifs.Match($"{request.Topic} {request.Text}", request.Language);
        var palette = request.Palette is null && motif is not null ? Palette.Named[motif.Palette] : Palette.Resolve(request.Palette, seed);
        var musicSpec = MusicSpec.ForMood(request.Mood, seed);
        VisualStyles.ForScene(request.Style, 0, seed); // validates the style name before any work
        Tools.RequireMedia();
        var outDir = PrepareOutput(outputDirectory);
        var settings = request.Preview ? RenderSettings.Preview : RenderSettings.Master;
        var work = Directory.CreateTempSubdirectory("viraloop-").FullName;
        var steps = new Dictionary<string, double>();
        var notes = new List<string>();
        var clock = Stopwatch.StartNew();
        void Done(string step) { steps[step] = Math.Round(clock.Elapsed.TotalSeconds, 3); clock.Restart(); progress?.Report(new StepProgress(step, 1)); }

        try
        {
            // 1. Script
            progress?.Report(new StepProgress("script", 0));
            var script = await writer.WriteAsync(request, cancellationToken);
            FontCoverage.Ensure(script.Scenes.SelectMany(s => s.Keywords.Append(s.Narration)).Append(script.Title));
            Done("script");

            // 2. Voice: speak every scene; if the whole is too long for the requested duration, speak faster.
            var speeches = await SpeakAllAsync(script, 1.0, work, progress, cancellationToken);
            double gaps = HookGap + SceneGap * (script.Scenes.Count - 1);
            double spoken = speeches.Sum(s => s.DurationSeconds);
            // A scene list that times every scene is the user's timeline: its durations win over the requested length
            // (the default 30 s would otherwise stretch the body scenes far beyond what was given).
            double target = request.Scenes is { Count: > 0 } given && given.All(s => s.Duration is > 0)
                ? given.Sum(s => s.Duration!.Value)
                : request.DurationSeconds;
            if (spoken + gaps > target * 1.03)
            {
                double speed = Math.Min(MaxSpeed, spoken / Math.Max(0.5, target * 1.0 - gaps));
                if (speed > 1.02)
                {
                    speeches = await SpeakAllAsync(script, speed, work, progress, cancellationToken);
                    spoken = speeches.Sum(s => s.DurationSeconds);
                    notes.Add($"voice speed x{speed:0.00} to fit {target:0.#} s");
                }
            }
            Done("voice");

            // 3. Timeline: each scene lasts its voice plus a gap; spare time is shared out; cuts fall on phrase boundaries.
            var timed = PlanTimeline(script, speeches, request, seed, target, notes);
            double duration = timed[^1].End;
            Done("timeline");

            // 4. Captions
            var ass = AssWriter.Write(timed, SafeArea.Default, script.Title);
            await File.WriteAllTextAsync(Path.Combine(work, CaptionsFile), BurnCaptions ? ass : AssWriter.Write([], SafeArea.Default, script.Title), cancellationToken);
            await File.WriteAllTextAsync(Path.Combine(outDir, CaptionsFile), ass, cancellationToken);
            Done("captions");

            // 5. Soundtrack (music, ducking, loudness, AAC) and 6. picture (visuals, captions, H.264) are encoded
            // at the same time, each once, then muxed without re-encoding.
            var voices = timed.Select((t, i) => new VoiceClip(speeches[i].AudioPath, t.Start + t.VoiceOffset, speeches[i].DurationSeconds)).ToList();
            var audioPath = Path.Combine(work, "audio.m4a");
            var soundtrack = Task.Run(() => AudioMixer.MixAsync(voices, MusicSynthesizer.Generate(musicSpec, duration + 0.5, AudioMixer.Rate, seed),
                duration, audioPath, cancellationToken), cancellationToken);
            var visuals = timed.Select((t, i) => new SceneVisual(t.Style, palette.ForScene(i), seed + i * 7919, t.Start, t.Duration)).ToList();
            var bg = new BackgroundRenderer(settings.BackgroundWidth, settings.BackgroundHeight, settings.Fps, visuals);
            var picturePath = Path.Combine(work, "picture.mp4");
            var args = FfmpegAssembler.BuildArguments(settings, bg, CaptionsFile, duration, picturePath);
            var encodeProgress = new Progress<double>(f => progress?.Report(new StepProgress("render", f)));
            await FfmpegAssembler.RunAsync(args, bg, work, duration, encodeProgress, cancellationToken);
            var loudness = await soundtrack;
            notes.Add(AudioMixer.Describe(loudness));
            var videoPath = Path.Combine(outDir, VideoFile);
            var tmpVideo = Path.Combine(work, VideoFile);
            await FfmpegAssembler.MuxAsync(picturePath, audioPath, duration, tmpVideo, cancellationToken);
            File.Move(tmpVideo, videoPath, overwrite: true);
            Done("render");

            await FfmpegAssembler.PackageHlsAsync(videoPath, Path.Combine(outDir, "hls"), cancellationToken);
            Done("hls");

            // 7. Thumbnail from the hook, with the title.
            var thumbPath = Path.Combine(outDir, ThumbnailFile);
            await ThumbnailAsync(bg, thumbPath, script.Title, Math.Min(1.0, duration / 3), work, settings, cancellationToken);
            Done("thumbnail");

            // 8. Manifest
            var manifestPath = Path.Combine(outDir, ManifestFile);
            await WriteManifestAsync(manifestPath, request, script, timed, visuals, musicSpec, settings, duration, steps, notes, outDir, cancellationToken);
            Done("manifest");
            return new VideoResult(videoPath, thumbPath, manifestPath, duration, script, timed, steps, notes);
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }
    }

    private static string PrepareOutput(string dir)
    {
        if (string.IsNullOrWhiteSpace(dir)) throw new MediaInputException("No output directory given.");
        var full = Path.GetFullPath(dir);
        try
        {
            if (File.Exists(full)) throw new MediaInputException($"The output path {full} is a file, not a directory.");
            Directory.CreateDirectory(full);
            var probe = Path.Combine(full, $".write-test-{Guid.NewGuid():N}");
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new MediaInputException($"Cannot write to the output directory {full}: {e.Message}");
        }
        return full;
    }

    private async Task<SpeechResult[]> SpeakAllAsync(Script script, double speed, string work, IProgress<StepProgress>? progress, CancellationToken ct)
    {
        var results = new SpeechResult[script.Scenes.Count];
        int done = 0;
        await Parallel.ForEachAsync(script.Scenes, new ParallelOptions { MaxDegreeOfParallelism = 2, CancellationToken = ct }, async (s, token) =>
        {
            results[s.Index] = await voice.SynthesizeAsync(new SpeechRequest(s.Narration, script.Language, speed),
                Path.Combine(work, $"voice-{s.Index}.wav"), token);
            progress?.Report(new StepProgress("voice", (double)Interlocked.Increment(ref done) / script.Scenes.Count));
        });
        return results;
    }

    private static List<TimedScene> PlanTimeline(Script script, SpeechResult[] speeches, VideoRequest request, int seed, double target, List<string> notes)
    {
        int n = script.Scenes.Count;
        var d = new double[n];
        for (int i = 0; i < n; i++)
        {
            double need = speeches[i].DurationSeconds + (i == 0 ? HookGap : SceneGap);
            d[i] = Math.Max(need, request.Scenes?[i].Duration ?? 0);
        }
        double sum = d.Sum();
        if (sum < target)
        {
            // Spread spare time over body scenes (the hook stays tight so it lands in the first seconds).
            var idx = Enumerable.Range(0, n).Where(i => i > 0 || n == 1).ToList();
            double extra = (target - sum) / idx.Count;
            foreach (var i in idx) d[i] += extra;
        }
        else if (sum > target * 1.1)
        {
            notes.Add($"the narration needs {sum:0.#} s, longer than the requested {target:0.#} s; the video is longer rather than dropping the user's words");
        }
        var timed = new List<TimedScene>();
        double t = 0;
        for (int i = 0; i < n; i++)
        {
            var s = script.Scenes[i];
            var style = VisualStyles.ForScene(request.Style, i, seed, $"{s.Narration} {string.Join(' ', s.Keywords)} {s.VisualDescription}", script.Language);
            double voiceOffset = i == 0 ? 0.05 : SceneGap / 2;
            timed.Add(new TimedScene(s with { DurationSeconds = Math.Round(d[i], 3) }, Math.Round(t, 3), Math.Round(d[i], 3),
                voiceOffset, speeches[i].Words, style, speeches[i].Voice));
            t += d[i];
        }
        return timed;
    }

    /// <summary>
    /// The thumbnail: the hook's background (rendered again, clean of captions) at full size with the title on a
    /// box in the middle of the frame.
    /// </summary>
    private static async Task ThumbnailAsync(BackgroundRenderer bg, string output, string title, double at, string work, RenderSettings s, CancellationToken ct)
    {
        var ass = $"""
            [Script Info]
            ScriptType: v4.00+
            PlayResX: 1080
            PlayResY: 1920

            [V4+ Styles]
            {AssWriter.StyleFormat}
            Style: Title,DejaVu Sans,110,&H00FFFFFF,&H00FFFFFF,&H00101010,&HA0000000,-1,0,0,0,100,100,0,0,3,18,0,5,140,170,0,1

            [Events]
            {AssWriter.EventFormat}
            Dialogue: 0,0:00:00.00,9:00:00.00,Title,,0,0,0,,{AssWriter.Escape(title)}
            """;
        await File.WriteAllTextAsync(Path.Combine(work, "thumb.ass"), ass, ct);
        var frame = new byte[bg.YuvFrameBytes];
        bg.RenderFrameYuv420((int)(at * s.Fps), frame);
        await File.WriteAllBytesAsync(Path.Combine(work, "thumb.yuv"), frame, ct);
        var r = await Tools.RunAsync(Tools.Ffmpeg, ["-hide_banner", "-loglevel", "error", "-y",
            "-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", $"{bg.Width}x{bg.Height}", "-i", "thumb.yuv", "-frames:v", "1",
            "-vf", $"scale={s.Width}:{s.Height}:flags=bicubic,ass=thumb.ass:fontsdir={Path.GetDirectoryName(Tools.FontPath)}", "-q:v", "3", output],
            ct: ct, workingDirectory: work);
        if (r.ExitCode != 0) throw new InvalidOperationException($"ffmpeg could not make the thumbnail: {r.StdErr.Trim()}");
    }

    private static readonly JsonSerializerOptions ManifestJson = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true, Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    private async Task WriteManifestAsync(string path, VideoRequest request, Script script, IReadOnlyList<TimedScene> timed,
        IReadOnlyList<SceneVisual> visuals, MusicSpec music, RenderSettings settings, double duration, Dictionary<string, double> steps,
        List<string> notes, string outDir, CancellationToken ct)
    {
        var manifest = new
        {
            generator = "ViraLoop",
            createdAt = DateTimeOffset.UtcNow,
            request = new { request.Topic, request.Language, request.DurationSeconds, request.Style, request.Palette, request.Mood, request.Hook, request.Preview, hasText = request.Text is not null, sceneListGiven = request.Scenes is not null },
            output = new { settings.Width, settings.Height, settings.Fps, videoCodec = "h264", audioCodec = "aac", audioSampleRate = 48000, loudnessTargetLufs = -14, durationSeconds = Math.Round(duration, 3), settings.Preset, settings.Crf },
            script = new { script.Title, script.Language, script.HookType, script.Writer },
            scenes = timed.Select((t, i) => new
            {
                index = i, kind = t.Script.Kind, t.Script.Narration, t.Script.Keywords, t.Script.VisualDescription,
                start = t.Start, end = Math.Round(t.End, 3), voiceStart = Math.Round(t.Start + t.VoiceOffset, 3),
                voice = t.Voice, style = visuals[i].Style, motif = VisualMotifs.Match($"{t.Script.Narration} {string.Join(' ', t.Script.Keywords)} {t.Script.VisualDescription}", script.Language)?.Name, palette = visuals[i].Palette.Colors.Select(c => c.Hex), seed = visuals[i].Seed,
                words = t.Words.Select(w => new { w.Word, start = Math.Round(t.Start + t.VoiceOffset + w.Start, 3), end = Math.Round(t.Start + t.VoiceOffset + w.End, 3) }),
            }),
            music = new { music.Mood, music.Bpm, key = music.KeyMidi, music.Minor, music.Progression, ducking = "sidechain envelope follower, about -10 dB under speech" },
            voice = new { engine = voice.Name },
            files = new[] { VideoFile, ThumbnailFile, CaptionsFile, HlsPlaylist }.Select(f => new { name = f, bytes = new FileInfo(Path.Combine(outDir, f)).Length }),
            tools = new
            {
                ffmpeg = await Tools.VersionAsync(Tools.Ffmpeg, "-version"),
                espeak = await Tools.VersionAsync(Tools.Espeak, "--version"),
                dotnet = Environment.Version.ToString(),
            },
            stepSeconds = steps,
            notes,
        };
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(manifest, ManifestJson), ct);
    }
}
