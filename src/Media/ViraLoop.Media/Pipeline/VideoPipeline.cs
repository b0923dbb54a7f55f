using System.Diagnostics;
using ViraLoop.Media.Assembly;
using ViraLoop.Media.Captions;
using ViraLoop.Media.Pipeline.Steps;
using ViraLoop.Media.Speech;
using ViraLoop.Media.Watermark;
using ViraLoop.Media.Writing;

namespace ViraLoop.Media.Pipeline;

/// <summary>
/// Topic in, finished short out, in one process: script → voice → timeline → captions → render (scene visuals, one encode)
/// → C2PA provenance → HLS → thumbnail → manifest. Every step is a class in <see cref="Steps"/> with a record in and a record out; this
/// class only composes them, times them and reports progress (the grains compose the same steps across silos).
/// </summary>
public sealed class VideoPipeline(IScriptWriter writer, ISpeechSynthesizer voice)
{
    public const string VideoFile = "video.mp4";
    public const string ThumbnailFile = "thumbnail.jpg";
    public const string ManifestFile = ManifestStep.ManifestFile;
    public const string CaptionsFile = AssemblyStep.CaptionsFile;
    public const string HlsPlaylist = "hls/" + HlsStep.PlaylistFile;
    public const string HlsMaster = "hls/" + HlsStep.MasterPlaylistFile;
    public const string HlsProvenance = "hls/" + HlsStep.ProvenanceFile;

    private readonly ScriptStep _script = new(writer);
    private readonly SceneVoiceStep _voice = new(voice);
    private readonly TimelineStep _timeline = new();
    private readonly SceneVisualStep _visual = new();
    private readonly ProvenanceStep _provenance = new();
    private readonly HlsStep _hls = new();
    private readonly ThumbnailStep _thumbnail = new();
    private readonly ManifestStep _manifest = new();

    public static VideoPipeline CreateOffline() => new(new TemplateScriptWriter(), new EspeakSynthesizer());

    /// <summary>The content checks (default: the offline rules) and the policy they apply to the order and the script.</summary>
    public Safety.Moderation.ContentModeration Moderation { get; init; } = Safety.Moderation.ContentModeration.Offline;

    public Safety.Moderation.ModerationPolicy Policy { get; init; } = Safety.Moderation.ModerationPolicy.Default;

    /// <summary>Burn captions and keywords into the frames (tests turn it off to compare the caption band with and without).</summary>
    public bool BurnCaptions { get; init; } = true;

    /// <summary>Where the C2PA signing key comes from (configured PEM files, else the development CA).</summary>
    public Provenance.C2paKeyOptions SigningKey { get; init; } = new(null, null);

    /// <summary>Embed the invisible watermark (a payload naming this video, <see cref="WatermarkPayload.ForVideo"/>) in every frame.</summary>
    public bool EmbedWatermark { get; init; } = true;

    /// <summary>Where each render's video id comes from (default: a new random id; tests pin it so two renders carry the same watermark).</summary>
    public Func<Guid> NewVideoId { get; init; } = Guid.NewGuid;

    /// <summary>The key the watermark is embedded under (default: <see cref="WatermarkKey.Configured"/>, from VIRALOOP_WATERMARK_KEY).</summary>
    public WatermarkKey WatermarkKey { get; init; } = WatermarkKey.Configured();

    public async Task<VideoResult> RunAsync(VideoRequest request, string outputDirectory, IProgress<StepProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var choices = VideoChoices.For(request);
        int seed = choices.Seed;
        Tools.RequireMedia();
        var outDir = PrepareOutput(outputDirectory);
        var settings = request.Preview ? RenderSettings.Preview : RenderSettings.Master;
        var work = Directory.CreateTempSubdirectory("viraloop-").FullName;
        var steps = new Dictionary<string, double>();
        var clock = Stopwatch.StartNew();
        void Done(string step) { steps[step] = Math.Round(clock.Elapsed.TotalSeconds, 3); clock.Restart(); progress?.Report(new StepProgress(step, 1)); }

        try
        {
            progress?.Report(new StepProgress(StepNames.Script, 0));
            var moderationNotes = new List<string>();
            async Task ModerateAsync(string stage, IReadOnlyList<Safety.Moderation.ModerationText> texts)
            {
                var verdict = await Moderation.CheckTextAsync(texts, Policy, cancellationToken);
                if (verdict.Blocking is { } b) throw new Safety.Moderation.ContentRefusedException(b);
                moderationNotes.Add($"moderation of the {stage} ({Moderation.Describe()}): {verdict.Describe()}");
                moderationNotes.AddRange(verdict.Notes);
            }
            await ModerateAsync("order", Safety.Moderation.ContentModeration.TextsOf(request));
            var script = (await _script.RunAsync(new ScriptSpec(request), cancellationToken)).Script;
            await ModerateAsync("script", Safety.Moderation.ContentModeration.TextsOf(script));
            Done(StepNames.Script);

            // Voice at normal speed; the timeline asks for it again, faster, when the whole is too long for the requested length.
            var voices = await SpeakAllAsync(script, 1.0, request.Voice, work, progress, cancellationToken);
            var timeline = _timeline.Run(new TimelineSpec(request, script, voices, seed));
            if (timeline.RespeakSpeed is { } speed)
            {
                voices = await SpeakAllAsync(script, speed, request.Voice, work, progress, cancellationToken);
                timeline = _timeline.Run(new TimelineSpec(request, script, voices, seed));
            }
            Done(StepNames.Voice);
            if (timeline.NeedsRespeak) throw new InvalidOperationException("The timeline asked for the voice to be spoken faster twice.");
            var timed = timeline.Scenes;
            double duration = timeline.DurationSeconds;
            var notes = moderationNotes.Concat(timeline.Notes).ToList();
            notes.Add("every scene was drawn by ViraLoop's procedural renderer from text the content policy checked (no generated imagery)");
            Done(StepNames.Timeline);

            var ass = AssWriter.Write(timed, SafeArea.Default, script.Title, Languages.TryGet(script.Language, out var scriptLanguage) ? scriptLanguage : null, request.Captions);
            await File.WriteAllTextAsync(Path.Combine(outDir, CaptionsFile), ass, cancellationToken);
            Done(StepNames.Captions);

            var visuals = timed.Select((t, i) => _visual.Source(new SceneVisualSpec(i, t, choices.Palette, seed, settings))).ToList();
            var videoPath = Path.Combine(outDir, VideoFile);
            // The video's own id; its watermark payload links a copy found elsewhere back to this manifest.
            var videoId = NewVideoId();
            ulong? payload = EmbedWatermark ? WatermarkPayload.ForVideo(videoId) : null;
            var assembled = await new AssemblyStep { WatermarkKey = WatermarkKey }.RunAsync(new AssemblySpec(timed, voices, visuals, choices.Music, seed,
                BurnCaptions ? ass : AssWriter.Write([], SafeArea.Default, script.Title), settings, videoPath, work, payload),
                new Progress<double>(f => progress?.Report(new StepProgress(StepNames.Render, f))), cancellationToken);
            notes.Add(AudioMixer.Describe(assembled.Loudness));
            if (assembled.Flashes is { } flashes)
            {
                if (!flashes.Passes)
                {
                    File.Delete(videoPath);
                    throw new Safety.UnsafeVideoException(flashes);
                }
                notes.Add(flashes.Describe());
            }
            Done(StepNames.Render);

            var signed = (await _provenance.RunAsync(new ProvenanceSpec(videoPath,
                ProvenanceStep.ClaimFor(request, script, visuals, BurnCaptions, DateTimeOffset.UtcNow), SigningKey), cancellationToken)).Signed;
            notes.Add($"C2PA manifest {signed.ManifestLabel} signed by {signed.Signer} ({signed.Issuer})");
            Done(StepNames.Provenance);

            await _hls.RunAsync(new HlsSpec(videoPath, Path.Combine(outDir, "hls")), cancellationToken);
            Done(StepNames.Hls);

            var thumbPath = Path.Combine(outDir, ThumbnailFile);
            await _thumbnail.RunAsync(new ThumbnailSpec(script.Title, visuals, Math.Min(1.0, duration / 3), settings, thumbPath, work, script.Language,
                request.Thumbnail, ThumbnailStep.KeywordOf(script)), cancellationToken);
            Done(StepNames.Thumbnail);

            var manifest = await _manifest.RunAsync(new ManifestSpec(request, script, timed, visuals, choices.Music, settings, duration, _voice.Engine,
                [VideoFile, ThumbnailFile, CaptionsFile, HlsPlaylist, HlsMaster, HlsProvenance], new Dictionary<string, double>(steps), notes, outDir,
                DateTimeOffset.UtcNow, Provenance: signed)
                {
                    VideoId = videoId.ToString("N"),
                    Watermark = payload is { } p ? new ManifestWatermark(WatermarkPayload.Format(p), WatermarkKey.Fingerprint) : null,
                },
                cancellationToken);
            Done(StepNames.Manifest);
            return new VideoResult(videoPath, thumbPath, manifest.ManifestPath, duration, script, timed, steps, notes);
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>Checks the output directory can be written (creating it), or throws <see cref="MediaInputException"/> saying why.</summary>
    public static string PrepareOutput(string dir)
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

    /// <summary>Every scene's voice, two at a time, reporting the fraction of scenes spoken.</summary>
    private async Task<SceneVoiceResult[]> SpeakAllAsync(Script script, double speed, string? tone, string work, IProgress<StepProgress>? progress, CancellationToken ct)
    {
        var results = new SceneVoiceResult[script.Scenes.Count];
        int done = 0;
        await Parallel.ForEachAsync(script.Scenes, new ParallelOptions { MaxDegreeOfParallelism = 2, CancellationToken = ct }, async (s, token) =>
        {
            results[s.Index] = await _voice.RunAsync(new SceneVoiceSpec(s.Index, s.Narration, script.Language, speed,
                Path.Combine(work, $"voice-{s.Index}.wav"), tone), token);
            progress?.Report(new StepProgress(StepNames.Voice, (double)Interlocked.Increment(ref done) / script.Scenes.Count));
        });
        return results;
    }
}
