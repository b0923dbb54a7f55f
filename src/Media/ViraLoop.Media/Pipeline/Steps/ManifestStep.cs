using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using ViraLoop.Media.Assembly;
using ViraLoop.Media.Captions;
using ViraLoop.Media.Music;
using ViraLoop.Media.Visuals;

namespace ViraLoop.Media.Pipeline.Steps;

/// <summary>
/// What the manifest records: the request, every choice made for it (script, timings, words, styles, palettes, seeds,
/// music), the output format, the files written in <paramref name="OutputDirectory"/> (names relative to it), step
/// times and notes. <paramref name="CreatedAt"/> is given, so the same inputs write the same bytes. <paramref name="FileBytes"/>
/// gives the files' sizes when they are not in the output directory (a job's files are in the blob store). <paramref name="Provenance"/>
/// is what the C2PA signing wrote into the MP4 (the <c>provenance</c> section).
/// </summary>
public sealed record ManifestSpec(
    VideoRequest Request,
    Script Script,
    IReadOnlyList<TimedScene> Scenes,
    IReadOnlyList<SceneVisual> Visuals,
    MusicSpec Music,
    RenderSettings Settings,
    double DurationSeconds,
    string VoiceEngine,
    IReadOnlyList<string> Files,
    IReadOnlyDictionary<string, double> StepSeconds,
    IReadOnlyList<string> Notes,
    string OutputDirectory,
    DateTimeOffset CreatedAt,
    IReadOnlyDictionary<string, long>? FileBytes = null,
    Provenance.C2paSignResult? Provenance = null)
{
    /// <summary>The video's id (offline renders; a job is named by its job id).</summary>
    public string? VideoId { get; init; }

    /// <summary>The invisible watermark in the picture, if one was embedded.</summary>
    public ManifestWatermark? Watermark { get; init; }

    /// <summary>The earlier video of the same owner this one nearly duplicates (DNA similarity at or above the threshold), if any.</summary>
    public ManifestNearDuplicate? NearDuplicate { get; init; }
}

/// <summary>A near-duplicate warning: the earlier video's id, the DNA similarity of the two and the threshold it reached.</summary>
public sealed record ManifestNearDuplicate(string VideoId, double Similarity, double Threshold);

/// <summary>
/// The watermark a video carries: its 64-bit payload as 16 hex digits and the fingerprint of the key it was embedded under
/// (never the key). Thumbnails are not watermarked.
/// </summary>
public sealed record ManifestWatermark(string Payload, string KeyFingerprint);

public sealed record ManifestResult(string ManifestPath);

/// <summary>Step 8: writes manifest.json beside the video, so the same request and seed can be rendered again and compared.</summary>
public sealed class ManifestStep
{
    public const string ManifestFile = "manifest.json";

    private static readonly JsonSerializerOptions ManifestJson = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true, Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    public async Task<ManifestResult> RunAsync(ManifestSpec spec, CancellationToken cancellationToken = default)
    {
        var (request, script, timed, visuals, music, settings) = (spec.Request, spec.Script, spec.Scenes, spec.Visuals, spec.Music, spec.Settings);
        if (visuals.Count != timed.Count) throw new ArgumentException($"{timed.Count} scenes but {visuals.Count} visuals.", nameof(spec));
        var manifest = new
        {
            generator = "ViraLoop",
            videoId = spec.VideoId,
            createdAt = spec.CreatedAt,
            request = new
            {
                request.Topic, request.Language, request.DurationSeconds, request.Style, request.Palette, request.Mood, request.Hook, request.Pacing, request.Captions,
                request.Voice, request.Thumbnail, request.TitleTemplate, request.Preview, hasText = request.Text is not null, sceneListGiven = request.Scenes is not null,
            },
            // The creative genes this video was made with (issue 8): what was used, defaults and the script's own choices included.
            genome = CreativeGenes.Effective(request, script, visuals.Count > 0 ? visuals[0].Palette.Name : Palette.Resolve(request.Palette, 0).Name),
            output = new { settings.Width, settings.Height, settings.Fps, videoCodec = "h264", audioCodec = "aac", audioSampleRate = 48000, loudnessTargetLufs = -14, durationSeconds = Math.Round(spec.DurationSeconds, 3), settings.Preset, settings.Crf },
            script = new { script.Title, script.Language, script.HookType, script.Writer },
            scenes = timed.Select((t, i) => Scene(t, i, visuals[i], script.Language)),
            music = new { music.Mood, music.Bpm, key = music.KeyMidi, music.Minor, music.Progression, ducking = "sidechain envelope follower, about -10 dB under speech" },
            voice = new { engine = spec.VoiceEngine },
            provenance = spec.Provenance is { } signed ? ProvenanceStep.Section(signed) : null,
            files = spec.Files.Select(f => new { name = f, bytes = spec.FileBytes?.GetValueOrDefault(f) ?? new FileInfo(Path.Combine(spec.OutputDirectory, f)).Length }),
            tools = new
            {
                ffmpeg = await Tools.VersionAsync(Tools.Ffmpeg, "-version"),
                espeak = await Tools.VersionAsync(Tools.Espeak, "--version"),
                dotnet = Environment.Version.ToString(),
            },
            stepSeconds = spec.StepSeconds,
            notes = spec.Notes,
            nearDuplicate = spec.NearDuplicate is { } nd ? new { videoId = nd.VideoId, similarity = nd.Similarity, threshold = nd.Threshold } : null,
            watermark = spec.Watermark is { } w ? new { payload = w.Payload, keyFingerprint = w.KeyFingerprint, embedding = "tiled luma pattern, 64-bit payload + CRC-16, rate-1/2 K=7 code", thumbnail = false } : null,
        };
        var path = Path.Combine(spec.OutputDirectory, ManifestFile);
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(manifest, ManifestJson), cancellationToken);
        return new ManifestResult(path);
    }

    /// <summary>One scene's entry; a scene drawn from a clip also names the clip (procedural scenes have no such field).</summary>
    private static JsonObject Scene(TimedScene t, int i, SceneVisual visual, string language)
    {
        var node = JsonSerializer.SerializeToNode(new
        {
            index = i, kind = t.Script.Kind, t.Script.Narration, t.Script.Keywords, t.Script.VisualDescription,
            start = t.Start, end = Math.Round(t.End, 3), voiceStart = Math.Round(t.Start + t.VoiceOffset, 3),
            voice = t.Voice, style = visual.Style, motif = VisualMotifs.Match($"{t.Script.Narration} {string.Join(' ', t.Script.Keywords)} {t.Script.VisualDescription}", language)?.Name, palette = visual.Palette.Colors.Select(c => c.Hex), seed = visual.Seed,
            words = t.Words.Select(w => new { w.Word, start = Math.Round(t.Start + t.VoiceOffset + w.Start, 3), end = Math.Round(t.Start + t.VoiceOffset + w.End, 3) }),
        }, ManifestJson)!.AsObject();
        if (visual.ClipPath is { } clip) node["clip"] = Path.GetFileName(clip);
        return node;
    }
}
