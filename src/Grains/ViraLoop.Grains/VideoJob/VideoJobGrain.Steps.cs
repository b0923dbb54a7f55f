using System.Diagnostics;
using Microsoft.Extensions.Logging;
using ViraLoop.Grains.Execution;
using ViraLoop.Grains.Messages;
using ViraLoop.Media;
using ViraLoop.Media.Assembly;
using ViraLoop.Media.Watermark;
using ViraLoop.Media.Captions;
using ViraLoop.Media.Pipeline;
using ViraLoop.Media.Pipeline.Steps;
using ViraLoop.Media.Safety;

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
        return async (runId, _, ct) =>
        {
            var clock = Stopwatch.StartNew();
            var script = (await new ScriptStep(services.Writer).RunAsync(new ScriptSpec(request), ct)).Script;
            return new StepReport(StepNames.Script, runId, clock.Elapsed.TotalSeconds, Script: script);
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
        var (settings, prefix, seed) = (Settings, Prefix, S.Seed);
        // Every frame carries the job's payload under the configured key (VIRALOOP_WATERMARK_KEY); the manifest records it.
        var watermark = WatermarkPayload.ForJob(S.TenantId, S.JobId);
        return async (runId, self, ct) =>
        {
            var clock = Stopwatch.StartNew();
            var ass = AssWriter.Write(timed, SafeArea.Default, script.Title);
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

    /// <summary>HLS (streams copied), the thumbnail and the manifest, written to the store under the job.</summary>
    private StepWork PackagingWork()
    {
        var request = S.Order!.ToRequest();
        var choices = VideoChoices.For(request);
        var (script, timed, visuals, settings, prefix) = (S.Script!, S.Timeline!, S.Visuals.Select(v => v!).ToList(), Settings, Prefix);
        var (duration, voiceEngine, createdAt) = (S.DurationSeconds, S.VoiceEngine, S.CreatedAt);
        var notes = S.Notes.Concat(S.Visuals.Where(v => v!.Note is not null).Select(v => v!.Note!)).Distinct().ToList();
        var steps = new Dictionary<string, double>(S.StepSeconds);
        var (videoKey, captionsKey) = (S.Outputs["video"], S.Outputs["captions"]);
        var watermark = new ManifestWatermark(WatermarkPayload.Format(WatermarkPayload.ForJob(S.TenantId, S.JobId)), WatermarkKey.Configured().Fingerprint);
        return async (runId, _, ct) =>
        {
            var clock = Stopwatch.StartNew();
            var tmp = Directory.CreateTempSubdirectory("viraloop-package-").FullName;
            try
            {
                var outputs = new Dictionary<string, string>();
                var video = await services.PathOfAsync(videoKey, ct);
                var sizes = new Dictionary<string, long> { [VideoPipeline.VideoFile] = new FileInfo(video).Length,
                    [VideoPipeline.CaptionsFile] = new FileInfo(await services.PathOfAsync(captionsKey, ct)).Length };
                var hlsDir = Path.Combine(tmp, "hls");
                var hls = await new HlsStep().RunAsync(new HlsSpec(video, hlsDir), ct);
                // The init segment and every media segment; the playlist last: once it is there, every file it names is.
                foreach (var file in Directory.GetFiles(hlsDir).Where(f => f != hls.PlaylistPath).Order(StringComparer.Ordinal))
                    await services.Blobs.PutFileAsync($"{prefix}/hls/{Path.GetFileName(file)}", file, ct);
                outputs["hls"] = (await services.Blobs.PutFileAsync($"{prefix}/{VideoPipeline.HlsPlaylist}", hls.PlaylistPath, ct)).Key;
                sizes[VideoPipeline.HlsPlaylist] = new FileInfo(hls.PlaylistPath).Length;

                var sources = await LocalVisualsAsync(visuals, ct);
                var thumb = Path.Combine(tmp, VideoPipeline.ThumbnailFile);
                await new ThumbnailStep().RunAsync(new ThumbnailSpec(script.Title, sources, Math.Min(1.0, duration / 3), settings, thumb,
                    Path.Combine(tmp, "thumb-work")), ct);
                outputs["thumbnail"] = (await services.Blobs.PutFileAsync($"{prefix}/{VideoPipeline.ThumbnailFile}", thumb, ct)).Key;
                sizes[VideoPipeline.ThumbnailFile] = new FileInfo(thumb).Length;

                steps[StepNames.Package] = Math.Round(clock.Elapsed.TotalSeconds, 3);
                var manifestDir = Directory.CreateDirectory(Path.Combine(tmp, "manifest")).FullName;
                var manifest = await new ManifestStep().RunAsync(new ManifestSpec(request, script, timed, visuals.Select(v => v.Visual).ToList(),
                    choices.Music, settings, duration, voiceEngine,
                    [VideoPipeline.VideoFile, VideoPipeline.ThumbnailFile, VideoPipeline.CaptionsFile, VideoPipeline.HlsPlaylist],
                    steps, notes, manifestDir, createdAt, sizes) { Watermark = watermark }, ct);
                outputs["manifest"] = (await services.Blobs.PutFileAsync($"{prefix}/{VideoPipeline.ManifestFile}", manifest.ManifestPath, ct)).Key;
                return new StepReport(StepNames.Package, runId, clock.Elapsed.TotalSeconds, Outputs: outputs);
            }
            finally
            {
                try { Directory.Delete(tmp, recursive: true); } catch (IOException) { }
            }
        };
    }
}
