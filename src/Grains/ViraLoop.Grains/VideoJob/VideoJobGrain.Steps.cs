using System.Diagnostics;
using Microsoft.Extensions.Logging;
using ViraLoop.Grains.Dna;
using ViraLoop.Grains.Execution;
using ViraLoop.Grains.Messages;
using ViraLoop.Media;
using ViraLoop.Media.Assembly;
using ViraLoop.Media.Watermark;
using ViraLoop.Media.Captions;
using ViraLoop.Media.Pipeline;
using ViraLoop.Media.Pipeline.Steps;
using ViraLoop.Media.Safety;
using ViraLoop.Media.Safety.Moderation;

namespace ViraLoop.Grains.VideoJob;

public sealed partial class VideoJobGrain
{
    private RunningStep? _running;
    private long _runIds;

    /// <summary>A step running on the executor, outside the turn: its run id (reports from older runs are ignored) and progress.</summary>
    private sealed class RunningStep(string step, long runId)
    {
        public string Step { get; } = step;
        public long RunId { get; } = runId;
        public CancellationTokenSource Cancel { get; } = new();
        public double Fraction { get; set; }
    }

    private delegate Task<StepReport> StepWork(long runId, IVideoJobGrain self, CancellationToken ct);

    private RenderSettings Settings => S.Order!.Preview ? RenderSettings.Preview : RenderSettings.Master;

    private string Prefix => $"jobs/{S.TenantId}/{S.JobId}";

    private static double Seconds(DateTimeOffset since) => Math.Round((DateTimeOffset.UtcNow - since).TotalSeconds, 3);

    /// <summary>Starts the step's work on the CPU executor unless it is already running; the work reports back with <see cref="OnStepFinished"/>.</summary>
    private void StartStep(string step, StepWork work)
    {
        if (_running is not null) return;
        var run = new RunningStep(step, ++_runIds);
        _running = run;
        var self = this.AsReference<IVideoJobGrain>();
        var clock = Stopwatch.StartNew();
        var (traceParent, key, siloName) = (S.TraceParent, Key, silo.Name);
        _ = Task.Run(async () =>
        {
            StepReport report;
            var span = ViraLoopTracing.Start($"job.{step}", traceParent, key, siloName, ("viraloop.step", step));
            try
            {
                report = await services.Cpu.RunAsync(ct => work(run.RunId, self, ct), run.Cancel.Token);
            }
            catch (OperationCanceledException) when (run.Cancel.IsCancellationRequested)
            {
                span.End("cancelled");
                return;
            }
            catch (Exception e)
            {
                report = new StepReport(step, run.RunId, clock.Elapsed.TotalSeconds, Transient.Describe(e), Transient.Is(e));
            }
            report = report with { Span = span.End(report.Error, report.Notes is { Count: > 0 } n ? string.Join("; ", n) : null) };
            for (var attempt = 0; attempt < 5 && !run.Cancel.IsCancellationRequested; attempt++)
            {
                try
                {
                    await self.OnStepFinished(report);
                    return;
                }
                catch (Exception e)
                {
                    // The job's timer starts the step again if the report never arrives.
                    log.LogWarning(e, "Could not report step {Step} of {Job}", step, Key);
                    await Task.Delay(500 * (attempt + 1));
                }
            }
        });
    }

    /// <summary>The scenes' visuals with a clip's blob key turned into the local path ffmpeg reads.</summary>
    private async Task<List<ViraLoop.Media.Visuals.SceneVisual>> LocalVisualsAsync(IEnumerable<SceneRendered> visuals, CancellationToken ct)
    {
        var sources = new List<ViraLoop.Media.Visuals.SceneVisual>();
        foreach (var v in visuals)
            sources.Add(v.Visual.ClipPath is { } clip ? v.Visual with { ClipPath = await services.PathOfAsync(clip, ct) } : v.Visual);
        return sources;
    }

    private StepWork ScriptWork()
    {
        var request = S.Order!.ToRequest();
        var policy = Policy;
        return async (runId, _, ct) =>
        {
            var clock = Stopwatch.StartNew();
            var script = (await new ScriptStep(services.Writer).RunAsync(new ScriptSpec(request), ct)).Script;
            // What the writer wrote is checked too (an LLM may write what the order did not say).
            var verdict = await services.Moderation.CheckTextAsync(ContentModeration.TextsOf(script), policy, ct);
            if (RejectionOf(verdict, "script") is { } rejection)
                return new StepReport(StepNames.Script, runId, clock.Elapsed.TotalSeconds, Refusal(rejection), Rejected: rejection, Notes: verdict.Notes);
            return new StepReport(StepNames.Script, runId, clock.Elapsed.TotalSeconds, Script: script,
                Notes: [NoteOf("script", verdict), .. verdict.Notes]);
        };
    }

    /// <summary>
    /// Captions and the MP4 in one encode. Its scratch directory is on the shared store under the job, so a run resumed on
    /// another silo reuses the assembly's finished work.
    /// </summary>
    private StepWork AssemblyWork()
    {
        var (script, timed, voices, visuals) = (S.Script!, S.Timeline!, S.Voices.Select(v => v!).ToList(), S.Visuals.Select(v => v!).ToList());
        var choices = VideoChoices.For(S.Order!.ToRequest());
        var captions = S.Order!.Captions;
        var (settings, prefix, seed) = (Settings, Prefix, S.Seed);
        // Every frame carries the job's payload under the configured key (VIRALOOP_WATERMARK_KEY); the manifest records it.
        var watermark = WatermarkPayload.ForJob(S.TenantId, S.JobId);
        return async (runId, self, ct) =>
        {
            var clock = Stopwatch.StartNew();
            var ass = AssWriter.Write(timed, SafeArea.Default, script.Title, Languages.TryGet(script.Language, out var scriptLanguage) ? scriptLanguage : null, captions);
            var voiceFiles = new List<SceneVoiceResult>();
            foreach (var v in voices) voiceFiles.Add(v.Voice with { AudioPath = await services.PathOfAsync(v.Voice.AudioPath, ct) });
            var sources = await LocalVisualsAsync(visuals, ct);
            var tmp = Directory.CreateTempSubdirectory("viraloop-assembly-").FullName;
            try
            {
                var video = Path.Combine(tmp, VideoPipeline.VideoFile);
                var work = services.Blobs.LocalDirectory($"{prefix}/work/assembly");
                double last = 0;
                var progress = new Progress<double>(f =>
                {
                    if (f - last < 0.05 && f < 1) return;
                    last = f;
                    self.OnStepProgress(runId, f).Ignore();
                });
                var done = await new AssemblyStep().RunAsync(new AssemblySpec(timed, voiceFiles, sources, choices.Music, seed, ass, settings, video, work, watermark),
                    progress, ct);
                if (done.Flashes is { Passes: false } flashes)
                    return new StepReport(StepNames.Render, runId, clock.Elapsed.TotalSeconds, new UnsafeVideoException(flashes).Message, Transient: false,
                        Withheld: flashes.Describe());
                var captions = Path.Combine(tmp, VideoPipeline.CaptionsFile);
                await File.WriteAllTextAsync(captions, ass, ct);
                var videoBlob = await services.Blobs.PutFileAsync($"{prefix}/{VideoPipeline.VideoFile}", video, ct);
                var captionsBlob = await services.Blobs.PutFileAsync($"{prefix}/{VideoPipeline.CaptionsFile}", captions, ct);
                return new StepReport(StepNames.Render, runId, clock.Elapsed.TotalSeconds,
                    Outputs: new Dictionary<string, string> { ["video"] = videoBlob.Key, ["captions"] = captionsBlob.Key },
                    Notes: new[] { AudioMixer.Describe(done.Loudness), done.Flashes?.Describe(),
                            done.ChunksReused > 0 ? $"the encode resumed: {done.ChunksReused} of {done.Chunks} picture chunks were already done" : null }
                        .OfType<string>().ToList());
            }
            finally
            {
                try { Directory.Delete(tmp, recursive: true); } catch (IOException) { }
            }
        };
    }

    /// <summary>
    /// The C2PA manifest signed into the MP4 (the store's copy replaced, so a retry signs again), HLS of the signed MP4 (streams
    /// copied) with its provenance sidecar and master playlist, the thumbnail and the manifest, written to the store under the job.
    /// </summary>
    private StepWork PackagingWork()
    {
        var request = S.Order!.ToRequest();
        var choices = VideoChoices.For(request);
        var (script, timed, visuals, settings, prefix) = (S.Script!, S.Timeline!, S.Visuals.Select(v => v!).ToList(), Settings, Prefix);
        var (duration, voiceEngine, createdAt) = (S.DurationSeconds, S.VoiceEngine, S.CreatedAt);
        var notes = S.Notes.Concat(S.Visuals.Where(v => v!.Note is not null).Select(v => v!.Note!)).Distinct().ToList();
        var procedural = S.Visuals.Select((v, i) => (v, i)).Where(x => x.v!.Backend == VisualBackendCatalog.Procedural).Select(x => x.i + 1).ToList();
        if (procedural.Count > 0)
            notes.Add($"scene{(procedural.Count > 1 ? "s" : "")} {string.Join(", ", procedural)}: drawn by ViraLoop's procedural renderer from text the content policy checked (no generated imagery)");
        var steps = new Dictionary<string, double>(S.StepSeconds);
        var (videoKey, captionsKey) = (S.Outputs["video"], S.Outputs["captions"]);
        var signingKey = services.Options.SigningKey;
        var watermark = new ManifestWatermark(WatermarkPayload.Format(WatermarkPayload.ForJob(S.TenantId, S.JobId)), WatermarkKey.Configured().Fingerprint);
        var dna = new DnaCheck(GrainFactory.GetGrain<IVideoDnaGrain>(S.TenantId), S.JobId, services.Options.NearDuplicateThreshold);
        return async (runId, _, ct) =>
        {
            var clock = Stopwatch.StartNew();
            var tmp = Directory.CreateTempSubdirectory("viraloop-package-").FullName;
            try
            {
                var outputs = new Dictionary<string, string>();
                var video = Path.Combine(tmp, VideoPipeline.VideoFile);
                File.Copy(await services.PathOfAsync(videoKey, ct), video);
                var signed = (await new ProvenanceStep().RunAsync(new ProvenanceSpec(video,
                    ProvenanceStep.ClaimFor(request, script, visuals.Select(v => v.Visual).ToList(), captionsBurned: true, DateTimeOffset.UtcNow), signingKey), ct)).Signed;
                await services.Blobs.PutFileAsync(videoKey, video, ct);
                steps[StepNames.Provenance] = Math.Round(clock.Elapsed.TotalSeconds, 3);
                var sizes = new Dictionary<string, long> { [VideoPipeline.VideoFile] = new FileInfo(video).Length,
                    [VideoPipeline.CaptionsFile] = new FileInfo(await services.PathOfAsync(captionsKey, ct)).Length };
                var hlsDir = Path.Combine(tmp, "hls");
                var hls = await new HlsStep().RunAsync(new HlsSpec(video, hlsDir), ct);
                // The init segment, every media segment and the C2PA sidecar; the playlists last: once one is there, every file it names is.
                foreach (var file in Directory.GetFiles(hlsDir).Where(f => f != hls.PlaylistPath && f != hls.MasterPath).Order(StringComparer.Ordinal))
                    await services.Blobs.PutFileAsync($"{prefix}/hls/{Path.GetFileName(file)}", file, ct);
                outputs["hls"] = (await services.Blobs.PutFileAsync($"{prefix}/{VideoPipeline.HlsPlaylist}", hls.PlaylistPath, ct)).Key;
                await services.Blobs.PutFileAsync($"{prefix}/{VideoPipeline.HlsMaster}", hls.MasterPath, ct);
                foreach (var file in new[] { hls.PlaylistPath, hls.MasterPath, hls.ProvenancePath }.OfType<string>())
                    sizes[$"hls/{Path.GetFileName(file)}"] = new FileInfo(file).Length;

                var sources = await LocalVisualsAsync(visuals, ct);
                var thumb = Path.Combine(tmp, VideoPipeline.ThumbnailFile);
                await new ThumbnailStep().RunAsync(new ThumbnailSpec(script.Title, sources, Math.Min(1.0, duration / 3), settings, thumb,
                    Path.Combine(tmp, "thumb-work"), script.Language, request.Thumbnail, ThumbnailStep.KeywordOf(script)), ct);
                outputs["thumbnail"] = (await services.Blobs.PutFileAsync($"{prefix}/{VideoPipeline.ThumbnailFile}", thumb, ct)).Key;
                sizes[VideoPipeline.ThumbnailFile] = new FileInfo(thumb).Length;

                // The DNA of the MP4 as delivered, and the tenant's earlier video it nearly duplicates: asked before the job
                // completes, so the warning is in the manifest and the job's view.
                var (vector, nearDuplicate, dnaNote) = await dna.CheckAsync(video, timed, ct);
                if (dnaNote is not null) notes.Add(dnaNote);
                steps[StepNames.Package] = Math.Round(clock.Elapsed.TotalSeconds, 3);
                var manifestDir = Directory.CreateDirectory(Path.Combine(tmp, "manifest")).FullName;
                var manifest = await new ManifestStep().RunAsync(new ManifestSpec(request, script, timed, visuals.Select(v => v.Visual).ToList(),
                    choices.Music, settings, duration, voiceEngine,
                    [VideoPipeline.VideoFile, VideoPipeline.ThumbnailFile, VideoPipeline.CaptionsFile, VideoPipeline.HlsPlaylist, VideoPipeline.HlsMaster,
                        VideoPipeline.HlsProvenance],
                    steps, notes, manifestDir, createdAt, sizes, Provenance: signed)
                {
                    Watermark = watermark,
                    NearDuplicate = nearDuplicate is null ? null : new ManifestNearDuplicate(nearDuplicate.VideoId, nearDuplicate.Similarity, dna.Threshold),
                }, ct);
                outputs["manifest"] = (await services.Blobs.PutFileAsync($"{prefix}/{VideoPipeline.ManifestFile}", manifest.ManifestPath, ct)).Key;
                // Indexed last, once everything else is stored: a packaging that fails leaves no DNA behind, and one run
                // again after a crash replaces its own entry (the index is keyed by the job), never adds a second.
                if (vector is not null) await dna.Index.Add(dna.JobId, vector);
                return new StepReport(StepNames.Package, runId, clock.Elapsed.TotalSeconds, Outputs: outputs, Provenance: signed,
                    NearDuplicate: nearDuplicate, Notes: dnaNote is null ? null : [dnaNote]);
            }
            finally
            {
                try { Directory.Delete(tmp, recursive: true); } catch (IOException) { }
            }
        };
    }
}
