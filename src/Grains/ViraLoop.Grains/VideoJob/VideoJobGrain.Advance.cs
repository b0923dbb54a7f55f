using Microsoft.Extensions.Logging;
using ViraLoop.Grains.Execution;
using ViraLoop.Grains.Messages;
using ViraLoop.Media.Pipeline.Steps;
using ViraLoop.Media.Safety.Moderation;
using ViraLoop.Media.Visuals.Backends;

namespace ViraLoop.Grains.VideoJob;

public sealed partial class VideoJobGrain
{
    private readonly Dictionary<string, DateTimeOffset> _askedAt = [];
    private bool _advancing;

    /// <summary>Looks at the persisted state and starts whatever is due. Idempotent: called by every event, the timer and the reminder.</summary>
    private async Task AdvanceAsync()
    {
        if (_advancing || !state.RecordExists || S.Order is null || S.Status.IsFinal()) return;
        if (S.RetryAt is { } at && at > DateTimeOffset.UtcNow) return;
        _advancing = true;
        try
        {
            if (_resumed)
            {
                // Back on a silo after a crash or a restart: say so at once, before the resumed step has progress to show.
                _resumed = false;
                await PublishAsync();
            }
            switch (S.Status)
            {
                case JobStatus.Accepted:
                    S.StartedAt ??= DateTimeOffset.UtcNow;
                    await MoveAsync(JobStatus.Scripting);
                    StartStep(StepNames.Script, ScriptWork());
                    break;
                case JobStatus.Scripting:
                    StartStep(StepNames.Script, ScriptWork());
                    break;
                case JobStatus.Scenes:
                    await AdvanceScenesAsync();
                    break;
                case JobStatus.Assembly:
                    StartStep(StepNames.Render, AssemblyWork());
                    break;
                case JobStatus.Packaging:
                    StartStep(StepNames.Package, PackagingWork());
                    break;
            }
        }
        finally
        {
            _advancing = false;
        }
    }

    private async Task MoveAsync(JobStatus next)
    {
        S.Status = next;
        S.UpdatedAt = DateTimeOffset.UtcNow;
        S.StepStartedAt = S.UpdatedAt;
        S.StepFailures = 0;
        S.RetryAt = null;
        await state.WriteStateAsync();
        ReportState();
        await PublishAsync();
        if (next == JobStatus.AwaitingApproval) await RestAsync();
    }

    /// <summary>
    /// Waiting for approval, nothing runs: no timer, no reminder, so the activation can go when idle and thousands of
    /// waiting jobs cost nothing. Approving (or rejecting, or cancelling) activates the job again from its state.
    /// </summary>
    private async Task RestAsync()
    {
        _timer?.Dispose();
        _timer = null;
        if (await this.GetReminder(Supervisor) is { } r) await this.UnregisterReminder(r);
    }

    /// <summary>Voices first (all of them, at the speed the timeline asks for), then the timeline, then every scene's visual.</summary>
    private async Task AdvanceScenesAsync()
    {
        var script = S.Script!;
        int n = script.Scenes.Count;
        if (S.Timeline is null)
        {
            if (S.Voices.Count != n) S.Voices = Enumerable.Repeat<SceneVoiced?>(null, n).ToList();
            var missing = Enumerable.Range(0, n).Where(i => S.Voices[i] is null).ToList();
            if (missing.Count > 0)
            {
                var answers = await AskScenesAsync(missing, "voice", async i => await Scene(i).Voice(new VoiceScene(Key, i, script.Scenes[i].Narration,
                    script.Language, S.VoiceSpeed, S.VoiceEngine, S.TraceParent, S.Order!.Voice)));
                var got = false;
                foreach (var (i, v) in answers)
                    if (v is SceneVoiced voiced && Accepts(voiced)) { S.Voices[i] = voiced; AddSpan(voiced.Span); got = true; }
                if (got) await state.WriteStateAsync();
                if (S.Voices.Any(v => v is null)) return;
            }
            await PlanTimelineAsync();
            if (S.Timeline is null) return;
        }

        if (S.Visuals.Count != n) S.Visuals = Enumerable.Repeat<SceneRendered?>(null, n).ToList();
        var pending = Enumerable.Range(0, n).Where(i => S.Visuals[i] is null).ToList();
        if (pending.Count > 0)
        {
            var choices = VideoChoices.For(S.Order!.ToRequest());
            var settings = Settings;
            var answers = await AskScenesAsync(pending, "visual", async i =>
            {
                var t = S.Timeline![i];
                var job = new VisualJob($"{S.JobId}-{i}", t.Script.Narration, t.Script.VisualDescription, t.Style.ToString().ToLowerInvariant(),
                    settings.Width, settings.Height, t.Duration, settings.Fps, choices.Seed + i * 7919);
                return await Scene(i).Render(new RenderScene(Key, S.TenantId, i, t, choices.Palette, choices.Seed, job, settings, S.VisualBackend, S.Priority,
                    S.TraceParent));
            });
            var got = false;
            foreach (var (i, r) in answers)
                if (r is SceneRendered rendered && S.Visuals[i] is null) { S.Visuals[i] = rendered; AddSpan(rendered.Span); got = true; }
            if (got) await state.WriteStateAsync();
            foreach (var (i, r) in answers) if (r is SceneRendered) await PublishAsync(SceneView(i));
            if (S.Visuals.Any(v => v is null)) return;
        }
        S.StepSeconds["visuals"] = Seconds(S.StepStartedAt);
        await MoveAsync(JobStatus.Assembly);
        StartStep(StepNames.Render, AssemblyWork());
    }

    private bool Accepts(SceneVoiced voiced) => Math.Abs(voiced.Voice.Speed - S.VoiceSpeed) < 1e-9;

    private async Task PlanTimelineAsync()
    {
        // A voice is cached by its words, not its place: one made for scene 3 of another job may be this job's scene 4, so
        // each voice is given the index of the scene it is spoken for here (the timeline refuses voices out of scene order).
        var voices = S.Voices.Select((v, i) => v!.Voice with { SceneIndex = i }).ToList();
        var timeline = new TimelineStep().Run(new TimelineSpec(S.Order!.ToRequest(), S.Script!, voices, S.Seed));
        if (timeline.RespeakSpeed is { } speed)
        {
            if (S.VoiceSpeed != 1.0)
            {
                await EndAsync(JobStatus.Failed, "The narration does not fit the requested length even spoken faster; ask for a longer video or shorter text.");
                return;
            }
            S.VoiceSpeed = speed;
            S.Voices = Enumerable.Repeat<SceneVoiced?>(null, S.Script!.Scenes.Count).ToList();
            _askedAt.Clear();
            await state.WriteStateAsync();
            await PublishAsync();
            await AdvanceScenesAsync();
            return;
        }
        S.Timeline = timeline.Scenes.ToList();
        S.DurationSeconds = timeline.DurationSeconds;
        S.Notes.AddRange(timeline.Notes.Where(n => !S.Notes.Contains(n)));
        S.StepSeconds[StepNames.Voice] = Seconds(S.StepStartedAt);
        S.StepStartedAt = DateTimeOffset.UtcNow;
        S.Visuals = Enumerable.Repeat<SceneRendered?>(null, S.Script!.Scenes.Count).ToList();
        _askedAt.Clear();
        await state.WriteStateAsync();
        await PublishAsync();
    }

    /// <summary>
    /// Asks the scenes that have not answered (again after <see cref="PipelineOptions.SceneAskAgain"/>: an answer may have
    /// been lost with a silo), all at once. A scene that cannot be reached now is asked again on a later tick.
    /// </summary>
    private async Task<List<(int Index, object? Answer)>> AskScenesAsync(List<int> scenes, string phase, Func<int, Task<object?>> ask)
    {
        var now = DateTimeOffset.UtcNow;
        var due = scenes.Where(i => !_askedAt.TryGetValue($"{phase}/{i}", out var t) || now - t >= services.Options.SceneAskAgain).ToList();
        foreach (var i in due) _askedAt[$"{phase}/{i}"] = now;
        var calls = due.Select(async i =>
        {
            try
            {
                return (i, await ask(i));
            }
            catch (Exception e)
            {
                log.LogWarning("Scene {Scene} of {Job} did not answer ({Error}); asking again later", i, Key, e.Message);
                return (i, (object?)null);
            }
        });
        return (await Task.WhenAll(calls)).ToList();
    }

    private ISceneGrain Scene(int i) => GrainFactory.GetGrain<ISceneGrain>($"{Key}/{i}");

    public async Task OnSceneVoiced(int sceneIndex, SceneVoiced voiced)
    {
        if (S.Status != JobStatus.Scenes || S.Timeline is not null || sceneIndex < 0 || sceneIndex >= S.Voices.Count) return;
        if (S.Voices[sceneIndex] is not null || !Accepts(voiced)) return;
        S.Voices[sceneIndex] = voiced;
        AddSpan(voiced.Span);
        await state.WriteStateAsync();
        await PublishAsync(SceneView(sceneIndex));
        await AdvanceAsync();
    }

    public async Task OnSceneRendered(int sceneIndex, SceneRendered rendered)
    {
        if (S.Status != JobStatus.Scenes || S.Timeline is null || sceneIndex < 0 || sceneIndex >= S.Visuals.Count) return;
        if (S.Visuals[sceneIndex] is not null) return;
        S.Visuals[sceneIndex] = rendered;
        AddSpan(rendered.Span);
        await state.WriteStateAsync();
        await PublishAsync(SceneView(sceneIndex));
        await AdvanceAsync();
    }

    public async Task OnSceneFailed(int sceneIndex, string reason)
    {
        if (S.Status != JobStatus.Scenes) return;
        await EndAsync(JobStatus.Failed, $"Scene {sceneIndex + 1} could not be made: {reason}");
    }

    public async Task OnStepFinished(StepReport report)
    {
        if (_running is null || _running.RunId != report.RunId || S.Status.IsFinal()) return;
        _running = null;
        AddSpan(report.Span);
        if (report.Error is { } error)
        {
            if (report.Rejected is { } rejected)
            {
                S.Rejection = rejected;
                Logged("script", new ModerationVerdict([], new ModerationFinding(ModerationCategories.Parse(rejected.Category) ?? ModerationCategory.Violence,
                    rejected.Severity, rejected.Field, rejected.Passage, rejected.Source), report.Notes ?? []));
                await EndAsync(JobStatus.Rejected, error);
                return;
            }
            if (report.Withheld is { } withheld)
            {
                S.Withheld = withheld;
                await EndAsync(JobStatus.Failed, error);
                return;
            }
            S.StepFailures++;
            if (report.Transient && S.StepFailures < services.Options.StepAttempts)
            {
                var wait = services.Options.StepBackoff * Math.Pow(2, S.StepFailures - 1);
                S.RetryAt = DateTimeOffset.UtcNow + wait;
                await state.WriteStateAsync();
                log.LogWarning("Step {Step} of {Job} failed ({Error}); retry {Attempt} in {Wait}", report.Step, Key, error, S.StepFailures, wait);
                await PublishAsync(error: $"{report.Step} failed ({error}); retrying in {wait.TotalSeconds:0} s");
                return;
            }
            await EndAsync(JobStatus.Failed, $"The {report.Step} step failed: {error}");
            return;
        }

        S.StepSeconds[report.Step] = Math.Round(report.Seconds, 3);
        foreach (var (name, key) in report.Outputs ?? new Dictionary<string, string>()) S.Outputs[name] = key;
        if (report.Notes is { } notes) S.Notes.AddRange(notes.Where(n => !S.Notes.Contains(n)));
        if (report.Provenance is { } provenance) S.Provenance = provenance;
        if (report.NearDuplicate is { } nearDuplicate) S.NearDuplicate = nearDuplicate;
        switch (S.Status)
        {
            case JobStatus.Scripting:
                S.Script = report.Script;
                S.Voices = Enumerable.Repeat<SceneVoiced?>(null, S.Script!.Scenes.Count).ToList();
                await MoveAsync(S.Order!.RequireApproval ? JobStatus.AwaitingApproval : JobStatus.Scenes);
                break;
            case JobStatus.Assembly:
                await MoveAsync(JobStatus.Packaging);
                break;
            case JobStatus.Packaging:
                await EndAsync(JobStatus.Completed, null);
                return;
        }
        await AdvanceAsync();
    }

    public async Task OnStepProgress(long runId, double fraction)
    {
        if (_running is null || _running.RunId != runId) return;
        _running.Fraction = Math.Clamp(fraction, 0, 1);
        var percent = Percent();
        if (percent > S.PercentFloor)
        {
            // Kept, so that a step resumed on another silo (from its checkpoints) does not show less than this.
            S.PercentFloor = percent;
            await state.WriteStateAsync();
        }
        await PublishAsync();
    }
}
