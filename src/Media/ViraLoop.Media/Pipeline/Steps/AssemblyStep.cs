using ViraLoop.Media.Safety;
using System.Text.Json;
using ViraLoop.Media.Assembly;
using ViraLoop.Media.Captions;
using ViraLoop.Media.Music;
using ViraLoop.Media.Visuals;
using ViraLoop.Media.Watermark;

namespace ViraLoop.Media.Pipeline.Steps;

/// <summary>
/// Everything the finished MP4 is made of: the timed scenes, each scene's voice and visual source (procedural or a clip),
/// the music, the captions to burn in (an ASS document; an empty one burns nothing), the output format, and where to
/// write it. <paramref name="WorkDirectory"/> takes scratch files. <paramref name="WatermarkPayload"/>, when given, is
/// embedded in every frame as an invisible watermark under the step's <see cref="AssemblyStep.WatermarkKey"/>.
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
    string WorkDirectory,
    ulong? WatermarkPayload = null);

/// <summary>
/// The MP4 (H.264 + AAC, faststart), its length and how the soundtrack was levelled; and what this run did with the
/// checkpoints in the work directory: how many picture chunks it encoded and how many it found finished and reused,
/// and whether the mixed soundtrack was reused.
/// </summary>
public sealed record AssemblyResult(string VideoPath, double DurationSeconds, AudioMixer.MixStats Loudness)
{
    public int FrameCount { get; init; }
    public int ChunksEncoded { get; init; }
    public int ChunksReused { get; init; }
    public bool SoundtrackReused { get; init; }
    public int Chunks => ChunksEncoded + ChunksReused;

    /// <summary>The flash check of the finished picture (WCAG 2.3.1): a video that fails it is not to be delivered.</summary>
    public FlashReport? Flashes { get; init; }
}

/// <summary>
/// Step 5: the soundtrack (voices on the timeline, music ducked under them, −14 LUFS, AAC) and the picture (every scene's
/// background — procedural frames or a clip's decoded frames — in one frame stream, captions burned in, H.264) are each
/// encoded once, at the same time, then joined and muxed without re-encoding.
/// <para>
/// The assembly resumes from its checkpoints: the picture is encoded in chunks of whole frames (<see cref="ChunkFrames"/>;
/// each its own H.264 file starting on a keyframe, its captions those of its absolute time) and the soundtrack as one file,
/// each written under a temporary name and renamed when complete, named by a hash of everything that decides its bytes
/// (<see cref="AssemblyCheckpoints"/>). A run with the same spec and work directory reuses the finished files and encodes
/// only what is missing, so an assembly interrupted mid-way (a crash, a cancelled job) does not start again from zero.
/// </para>
/// </summary>
public sealed class AssemblyStep
{
    public const string CaptionsFile = "captions.ass";

    /// <summary>Default chunk length: 6 s at 30 fps, three 2 s keyframe intervals (see bench/RESULTS.md for the measurement).</summary>
    public const double DefaultChunkSeconds = 6;

    /// <summary>Frames per picture chunk; 0 means <see cref="DefaultChunkSeconds"/> at the output frame rate.</summary>
    public int ChunkFrames { get; init; }

    /// <summary>The key a spec's <see cref="AssemblySpec.WatermarkPayload"/> is embedded under (default: <see cref="WatermarkKey.Configured"/>).</summary>
    public WatermarkKey WatermarkKey { get; init; } = WatermarkKey.Configured();

    /// <summary>Temporary files older than this (not written to since) are left from a crashed run and deleted.</summary>
    private static readonly TimeSpan StalePart = TimeSpan.FromMinutes(15);

    public async Task<AssemblyResult> RunAsync(AssemblySpec spec, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        int n = spec.Scenes.Count;
        if (n == 0) throw new ArgumentException("There are no scenes to assemble.", nameof(spec));
        if (spec.Voices.Count != n || spec.Visuals.Count != n)
            throw new ArgumentException($"{n} scenes need {n} voices and {n} visuals; got {spec.Voices.Count} and {spec.Visuals.Count}.", nameof(spec));
        if (ChunkFrames < 0) throw new InvalidOperationException($"{nameof(ChunkFrames)} must be positive, or 0 for the default.");
        var settings = spec.Settings;
        double duration = spec.Scenes[^1].End;
        var work = Path.GetFullPath(spec.WorkDirectory);
        Directory.CreateDirectory(work);
        var report = new MonotoneProgress(progress);

        // What the files are named by: the frame count is the renderer's (the visuals' timeline at the output rate).
        int totalFrames = (int)Math.Round(spec.Visuals[^1].End * settings.Fps);
        int chunkFrames = ChunkFrames > 0 ? ChunkFrames : (int)Math.Round(DefaultChunkSeconds * settings.Fps);
        var voices = spec.Scenes.Select((t, i) => new VoiceClip(spec.Voices[i].AudioPath, t.Start + t.VoiceOffset, spec.Voices[i].DurationSeconds)).ToList();
        var timeline = spec.Scenes.Select(t => (object)new { t.Start, t.Duration }).ToList();
        var watermark = spec.WatermarkPayload is { } payload
            ? new { payload = Watermark.WatermarkPayload.Format(payload), key = WatermarkKey.Fingerprint, amplitude = WatermarkPattern.AmplitudeFor(settings.Height) }
            : null;
        var pictureKey = await AssemblyCheckpoints.PictureKeyAsync(settings, timeline, spec.Visuals, spec.CaptionsAss, spec.Seed, totalFrames, cancellationToken,
            watermark);
        var audioKey = await AssemblyCheckpoints.AudioKeyAsync(voices, spec.Music, spec.Seed, duration, cancellationToken);
        var chunks = AssemblyCheckpoints.Plan(totalFrames, chunkFrames, pictureKey);
        var audioPath = Path.Combine(work, AssemblyCheckpoints.AudioFileName(audioKey));
        var statsPath = Path.Combine(work, AssemblyCheckpoints.AudioStatsFileName(audioKey));
        AssemblyCheckpoints.DeleteStale(work, chunks.Select(c => c.FileName).Concat(chunks.Select(c => FlashFile(c.FileName)))
            .Append(Path.GetFileName(audioPath)).Append(Path.GetFileName(statsPath)).ToHashSet(), StalePart);

        await File.WriteAllTextAsync(Path.Combine(work, CaptionsFile), spec.CaptionsAss, cancellationToken);
        bool soundtrackReused = File.Exists(audioPath) && File.Exists(statsPath);
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var soundtrack = soundtrackReused
            ? ReadStatsAsync(statsPath, cancellationToken)
            : Task.Run(() => MixSoundtrackAsync(voices, spec, duration, audioPath, statsPath, failed.Token), failed.Token);

        var pending = chunks.Where(c => !File.Exists(Path.Combine(work, c.FileName))).ToList();
        int done = chunks.Except(pending).Sum(c => c.FrameCount);
        // The picture is 99 % of the progress; joining and muxing the last 1 %.
        void Picture(double frames) => report.Report(0.99 * frames / totalFrames);
        Picture(done);
        try
        {
            if (pending.Count > 0)
            {
                // The watermark's pattern, one frame the size of the output, written once (named by what decides its pixels).
                var pattern = spec.WatermarkPayload is { } p
                    ? await WatermarkPattern.WriteYuv420Async(Path.Combine(work, $"watermark-{WatermarkKey.Fingerprint}-{Watermark.WatermarkPayload.Format(p)}-{settings.Width}x{settings.Height}.yuv"),
                        WatermarkKey, p, settings.Width, settings.Height, cancellationToken)
                    : null;
                await EncodeChunksAsync(spec, work, pending, done, Picture, pattern, cancellationToken);
            }
        }
        catch
        {
            // Stop the soundtrack too, and let it end before the caller hears of the failure (it writes into the work directory).
            await failed.CancelAsync();
            try { await soundtrack; } catch (Exception) { }
            throw;
        }
        var loudness = await soundtrack;

        var tmpVideo = Path.Combine(work, $"video-{Guid.NewGuid():N}.mp4");
        try
        {
            await FfmpegAssembler.MuxChunksAsync(chunks.Select(c => Path.Combine(work, c.FileName)).ToList(), audioPath, duration, tmpVideo, work, cancellationToken);
            if (Path.GetDirectoryName(Path.GetFullPath(spec.OutputPath)) is { } dir) Directory.CreateDirectory(dir);
            File.Move(tmpVideo, spec.OutputPath, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmpVideo)) File.Delete(tmpVideo);
        }
        // Seizure safety: the picture is measured for flashes before anyone is given it, from the frames the encode saw
        // (kept per chunk as a small grid; a chunk without its grid, from an older run, is decoded instead).
        var grids = new List<byte[]>(totalFrames);
        foreach (var c in chunks)
        {
            var kept = Path.Combine(work, FlashFile(c.FileName));
            var size = FlashAnalyzer.GridWidth * FlashAnalyzer.GridHeight * 3;
            if (File.Exists(kept) && new FileInfo(kept).Length == (long)size * c.FrameCount)
            {
                var bytes = await File.ReadAllBytesAsync(kept, cancellationToken);
                for (var f = 0; f < c.FrameCount; f++) grids.Add(bytes.AsSpan(f * size, size).ToArray());
            }
            else grids.AddRange((await FlashAnalyzer.DecodeGridAsync(Path.Combine(work, c.FileName), cancellationToken)).Frames);
        }
        var flashes = FlashAnalyzer.Analyze(grids, FlashAnalyzer.GridWidth, FlashAnalyzer.GridHeight, settings.Fps);
        report.Report(1);
        return new AssemblyResult(spec.OutputPath, duration, loudness)
        {
            FrameCount = totalFrames, ChunksEncoded = pending.Count, ChunksReused = chunks.Count - pending.Count, SoundtrackReused = soundtrackReused,
            Flashes = flashes,
        };
    }

    /// <summary>The flash grid kept beside a picture chunk.</summary>
    private static string FlashFile(string chunkFile) => chunkFile + ".flash";

    /// <summary>Encodes the missing chunks in order, each to a temporary file renamed when complete, reporting the frames done.</summary>
    private static async Task EncodeChunksAsync(AssemblySpec spec, string work, IReadOnlyList<AssemblyCheckpoints.Chunk> pending, int done,
        Action<double> picture, string? watermarkFile, CancellationToken ct)
    {
        var settings = spec.Settings;
        // Only the clips on screen in the missing chunks are decoded (with a margin for the push transition into the next scene).
        double margin = 1.0, fps = settings.Fps;
        bool OnScreen(int scene) => pending.Any(c =>
            c.StartFrame / fps < spec.Visuals[scene].End + margin && (c.StartFrame + c.FrameCount) / fps > spec.Visuals[scene].Start - margin);
        var clips = await ClipFrames.DecodeScenesAsync(spec.Visuals, settings.BackgroundWidth, settings.BackgroundHeight, fps, work, OnScreen, ct);
        try
        {
            var bg = new BackgroundRenderer(settings.BackgroundWidth, settings.BackgroundHeight, fps, spec.Visuals, clips: clips);
            foreach (var chunk in pending)
            {
                ct.ThrowIfCancellationRequested();
                var final = Path.Combine(work, chunk.FileName);
                var part = AssemblyCheckpoints.PartPathFor(final);
                try
                {
                    var args = FfmpegAssembler.BuildArguments(settings, bg, CaptionsFile, chunk.StartFrame, chunk.FrameCount, part, watermarkFile);
                    // Within a chunk progress stops short of its end: reaching a chunk boundary means that chunk is in place.
                    int before = done;
                    var grid = new MemoryStream();
                    await FfmpegAssembler.RunAsync(args, bg, chunk.StartFrame, chunk.FrameCount, chunk.FrameCount / fps, work,
                        new InlineProgress(f => picture(before + 0.99 * f * chunk.FrameCount)), ct,
                        (_, yuv) => grid.Write(FlashAnalyzer.SampleYuv420(yuv, settings.BackgroundWidth, settings.BackgroundHeight)));
                    // The chunk's flash grid first, then the chunk: a published chunk always has its grid beside it.
                    var flashPart = AssemblyCheckpoints.PartPathFor(Path.Combine(work, FlashFile(chunk.FileName)));
                    await File.WriteAllBytesAsync(flashPart, grid.ToArray(), ct);
                    File.Move(flashPart, Path.Combine(work, FlashFile(chunk.FileName)), overwrite: true);
                    AssemblyCheckpoints.Publish(part, final);
                }
                finally
                {
                    if (File.Exists(part)) File.Delete(part);
                }
                done += chunk.FrameCount;
                picture(done);
            }
        }
        finally
        {
            foreach (var c in clips.Values) c.Dispose();
        }
    }

    /// <summary>Mixes and encodes the soundtrack to a temporary file; its loudness figures are published first, then the audio (so the audio's presence means both are there).</summary>
    private static async Task<AudioMixer.MixStats> MixSoundtrackAsync(List<VoiceClip> voices, AssemblySpec spec, double duration, string audioPath, string statsPath,
        CancellationToken ct)
    {
        var part = AssemblyCheckpoints.PartPathFor(audioPath);
        var statsPart = AssemblyCheckpoints.PartPathFor(statsPath);
        try
        {
            var stats = await AudioMixer.MixAsync(voices, MusicSynthesizer.Generate(spec.Music, duration + 0.5, AudioMixer.Rate, spec.Seed), duration, part, ct);
            await File.WriteAllTextAsync(statsPart, JsonSerializer.Serialize(stats), ct);
            AssemblyCheckpoints.Publish(statsPart, statsPath);
            AssemblyCheckpoints.Publish(part, audioPath);
            return stats;
        }
        finally
        {
            // The mixer's own scratch WAV beside the part file too (left behind when the encode is cancelled).
            foreach (var leftover in new[] { part, statsPart, Path.ChangeExtension(part, ".wav") })
                if (File.Exists(leftover)) File.Delete(leftover);
        }
    }

    private static async Task<AudioMixer.MixStats> ReadStatsAsync(string statsPath, CancellationToken ct) =>
        JsonSerializer.Deserialize<AudioMixer.MixStats>(await File.ReadAllTextAsync(statsPath, ct))
        ?? throw new InvalidDataException($"The soundtrack's loudness figures in {statsPath} are empty.");

    /// <summary>Passes on only values above the last one passed on, so the whole assembly's progress never goes back.</summary>
    private sealed class MonotoneProgress(IProgress<double>? inner) : IProgress<double>
    {
        private readonly Lock _gate = new();
        private double _last = -1;

        public void Report(double value)
        {
            if (inner is null) return;
            lock (_gate)
            {
                if (value <= _last) return;
                _last = value;
                inner.Report(Math.Clamp(value, 0, 1));
            }
        }
    }

    /// <summary>Reports on the calling thread (unlike <see cref="Progress{T}"/>, which posts to a context).</summary>
    private sealed class InlineProgress(Action<double> report) : IProgress<double>
    {
        public void Report(double value) => report(value);
    }
}
