using System.Text.Json;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Streams;
using ViraLoop.Grains.Execution;
using ViraLoop.Grains.Messages;
using ViraLoop.Media;
using ViraLoop.Media.Captions;
using ViraLoop.Media.Pipeline.Steps;
using ViraLoop.Media.Safety.Moderation;

namespace ViraLoop.Grains.VideoJob;

/// <summary>
/// One video job (key <c>tenant/job</c>). The grain only decides: every transition is persisted before it is announced;
/// long work (script, encode, packaging) runs on the silo's CPU executor and reports back with a call to this grain; scene
/// voices and visuals are asked of scene grains. A timer drives retries and re-asks scenes whose answers were lost, and a
/// reminder brings the job back on another silo when its silo dies; on activation the job goes on from its last persisted
/// state (a finished step is never run again).
/// </summary>
public sealed partial class VideoJobGrain(
    [PersistentState("job")] IPersistentState<VideoJobState> state,
    PipelineServices services,
    ILocalSiloDetails silo,
    ILogger<VideoJobGrain> log) : Grain, IVideoJobGrain, IRemindable
{
    private const string Supervisor = "job-supervisor";
    private VideoJobState S => state.State;
    private IGrainTimer? _timer;
    private IAsyncStream<JobProgress>? _stream;
    private long _counter;
    private bool _resumed;

    private string Key => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.RecordExists && S.Order is not null && !S.Status.IsFinal())
        {
            S.Epoch++;
            await state.WriteStateAsync(cancellationToken);
            if (S.Status != JobStatus.AwaitingApproval) StartTimer();
            _resumed = true;
        }
        await base.OnActivateAsync(cancellationToken);
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _running?.Cancel.Cancel();
        return Task.CompletedTask;
    }

    public async Task<JobSnapshot> Submit(VideoOrder order)
    {
        ArgumentNullException.ThrowIfNull(order);
        var (tenant, jobId) = JobKeys.Parse(Key);
        if (state.RecordExists && S.Order is not null)
        {
            if (Same(S.Order, order)) return Snapshot();
            throw new ArgumentException($"Job {jobId} already exists with a different request; use a new job id.");
        }

        // Validate everything before anything is written: bad input leaves no half-created job.
        VideoChoices choices;
        try
        {
            choices = VideoChoices.For(order.ToRequest());
            services.Writer.EnsureCanWrite(order.ToRequest());
        }
        catch (MediaInputException e) { throw new ArgumentException(e.Message); }
        var backend = (order.VisualBackend ?? services.Visuals.Default).Trim().ToLowerInvariant();
        if (!services.Visuals.Knows(backend))
            throw new ArgumentException($"Unknown visual backend '{backend}'. Known: {string.Join(", ", services.Visuals.Names)}.");
        var plan = await GrainFactory.GetGrain<ISchedulerGrain>(SchedulerKeys.Gpu).GetTenantPlan(tenant);
        var ceiling = Priorities.Parse(plan.PriorityCeiling)!.Value;
        var asked = order.Priority is null ? ceiling
            : Priorities.Parse(order.Priority) ?? throw new ArgumentException($"Unknown priority '{order.Priority}': use high, standard or low.");
        if (asked > ceiling)
            throw new ArgumentException($"Priority {Priorities.Name(asked)} is above your plan's ceiling ({plan.PriorityCeiling}); ask for {plan.PriorityCeiling} or lower.");

        // The content policy before anything is made: the tenant's levels, kept with the job for its script and edits.
        var tenantPlan = await GrainFactory.GetGrain<ITenantGrain>(tenant).GetPlan();
        var policy = PolicyOf(tenantPlan.Moderation);

        var now = DateTimeOffset.UtcNow;
        state.State = new VideoJobState
        {
            TenantId = tenant,
            JobId = jobId,
            Order = order,
            Status = JobStatus.Accepted,
            CreatedAt = now,
            UpdatedAt = now,
            StepStartedAt = now,
            Seed = choices.Seed,
            Priority = Priorities.Name(asked),
            VisualBackend = backend,
            VoiceEngine = services.Voice.Name,
            Epoch = 1,
            TraceParent = ViraLoopTracing.StartJob(Key, tenant, silo.Name),
            Moderation = new Dictionary<string, string>(policy.ToSettings()),
        };
        var verdict = await ModerateAsync("order", ContentModeration.TextsOf(order.ToRequest()), policy);
        if (RejectionOf(verdict, "order") is { } rejection)
        {
            // Refused: the job exists, final, saying why; nothing was made and nothing runs.
            S.Status = JobStatus.Rejected;
            S.Rejection = rejection;
            S.Error = Refusal(rejection);
            await state.WriteStateAsync();
            ReportState();
            ViraLoopMetrics.JobSubmitted(tenant);
            ViraLoopMetrics.JobFinished(tenant, JobStatus.Rejected.Name(), 0);
            GrainFactory.GetGrain<ITenantGrain>(tenant).JobEnded(jobId).Ignore();
            await PublishAsync();
            return Snapshot();
        }
        S.Notes.Add(NoteOf("order", verdict));
        S.Notes.AddRange(verdict.Notes);
        await state.WriteStateAsync();
        ReportState();
        ViraLoopMetrics.JobSubmitted(tenant);
        await this.RegisterOrUpdateReminder(Supervisor, services.Options.JobReminder, services.Options.JobReminder);
        StartTimer();
        await PublishAsync();
        await AdvanceAsync();
        return Snapshot();
    }

    public Task<JobSnapshot> GetSnapshot()
    {
        if (!state.RecordExists || S.Order is null) throw new KeyNotFoundException($"There is no job {Key}.");
        return Task.FromResult(Snapshot());
    }

    public Task<Script?> GetScript() => Task.FromResult(S.Script);

    public Task<JobTrace> GetTrace()
    {
        if (!state.RecordExists || S.Order is null) throw new KeyNotFoundException($"There is no job {Key}.");
        return Task.FromResult(new JobTrace(S.JobId, S.TenantId, ViraLoopTracing.TraceIdOf(S.TraceParent), S.Status,
            S.Trace.OrderBy(t => t.Start).ToList()));
    }

    /// <summary>Keeps a span of this job (once; a result made for another job is marked <c>cached</c>). Persisted with the next write.</summary>
    private void AddSpan(JobSpan? span)
    {
        if (span is null || S.Trace.Any(t => t.SpanId == span.SpanId)) return;
        var own = ViraLoopTracing.TraceIdOf(S.TraceParent);
        S.Trace.Add(span.TraceId == own ? span : span with { Status = "cached", Detail = $"made earlier for trace {span.TraceId}" });
        if (S.Trace.Count > VideoJobState.MaxSpans) S.Trace.RemoveRange(0, S.Trace.Count - VideoJobState.MaxSpans);
    }

    /// <summary>Tells the cluster's job statistics of the job's state (one way; the dashboard's figures).</summary>
    private void ReportState() =>
        GrainFactory.GetGrain<IJobStatsGrain>(JobStatsKeys.Cluster)
            .Record(new JobStateChange(Key, S.TenantId, S.Status, S.UpdatedAt, S.Error, silo.Name)).Ignore();

    public async Task<JobSnapshot> Cancel(string? reason = null)
    {
        if (!state.RecordExists || S.Order is null) throw new KeyNotFoundException($"There is no job {Key}.");
        if (S.Status.IsFinal()) return Snapshot();
        await EndAsync(JobStatus.Cancelled, string.IsNullOrWhiteSpace(reason) ? "Cancelled." : $"Cancelled: {reason.Trim()}");
        return Snapshot();
    }

    public async Task<JobSnapshot> Approve(Script? edited = null)
    {
        RequireAwaitingApproval();
        if (edited is not null)
        {
            var script = CheckedEdit(edited);
            var verdict = await ModerateAsync("edited script", ContentModeration.TextsOf(script), Policy);
            if (RejectionOf(verdict, "edit") is { } rejection) throw RefusedEdit(rejection);
            S.Script = script;
        }
        // Work again: the supervision that waiting for approval did without.
        await this.RegisterOrUpdateReminder(Supervisor, services.Options.JobReminder, services.Options.JobReminder);
        StartTimer();
        AddSpan(ViraLoopTracing.Record("job.awaiting-approval", S.TraceParent, Key, silo.Name, S.StepStartedAt, edited is null ? "approved" : "approved with edits"));
        S.Voices = Enumerable.Repeat<SceneVoiced?>(null, S.Script!.Scenes.Count).ToList();
        await MoveAsync(JobStatus.Scenes);
        await AdvanceAsync();
        return Snapshot();
    }

    public async Task<JobSnapshot> Reject(string reason)
    {
        RequireAwaitingApproval();
        if (string.IsNullOrWhiteSpace(reason)) throw new ArgumentException("Say why the script is rejected.");
        AddSpan(ViraLoopTracing.Record("job.awaiting-approval", S.TraceParent, Key, silo.Name, S.StepStartedAt, "rejected"));
        await EndAsync(JobStatus.Cancelled, $"The script was rejected: {reason.Trim()}");
        return Snapshot();
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != Supervisor) return;
        if (!state.RecordExists || S.Order is null || S.Status.IsFinal() || S.Status == JobStatus.AwaitingApproval)
        {
            if (await this.GetReminder(Supervisor) is { } r) await this.UnregisterReminder(r);
            return;
        }
        await AdvanceAsync();
    }

    private void StartTimer()
    {
        if (_timer is not null) return;
        _timer = this.RegisterGrainTimer(_ => AdvanceAsync(), new GrainTimerCreationOptions
        {
            DueTime = services.Options.JobTick, Period = services.Options.JobTick, KeepAlive = true, Interleave = false,
        });
    }

    private void RequireAwaitingApproval()
    {
        if (!state.RecordExists || S.Order is null) throw new KeyNotFoundException($"There is no job {Key}.");
        if (S.Status != JobStatus.AwaitingApproval)
            throw new InvalidOperationException($"The job is not waiting for approval: it is {S.Status.Name()}.");
    }

    /// <summary>An edited script keeps the scene count and kinds; narration may change, never be empty, and must be drawable.</summary>
    private Script CheckedEdit(Script edited)
    {
        var original = S.Script!;
        if (edited.Scenes is null || edited.Scenes.Count != original.Scenes.Count)
            throw new ArgumentException($"The edited script must keep its {original.Scenes.Count} scenes.");
        var scenes = edited.Scenes.Select((s, i) =>
        {
            if (string.IsNullOrWhiteSpace(s.Narration)) throw new ArgumentException($"Scene {i + 1} of the edited script has no narration.");
            return original.Scenes[i] with { Narration = s.Narration.Trim(), Keywords = s.Keywords ?? original.Scenes[i].Keywords };
        }).ToList();
        var script = original with { Title = string.IsNullOrWhiteSpace(edited.Title) ? original.Title : edited.Title.Trim(), Scenes = scenes };
        try { FontCoverage.Ensure(script.Scenes.SelectMany(s => s.Keywords.Append(s.Narration)).Append(script.Title)); }
        catch (MediaInputException e) { throw new ArgumentException(e.Message); }
        return script;
    }

    private static bool Same(VideoOrder a, VideoOrder b) =>
        JsonSerializer.Serialize(a) == JsonSerializer.Serialize(b);

    private async Task EndAsync(JobStatus final, string? error)
    {
        _running?.Cancel.Cancel();
        _running = null;
        S.Status = final;
        S.Error = error;
        S.UpdatedAt = DateTimeOffset.UtcNow;
        await state.WriteStateAsync();
        ReportState();
        ViraLoopMetrics.JobFinished(S.TenantId, final.Name(), (S.UpdatedAt - S.CreatedAt).TotalSeconds);
        GrainFactory.GetGrain<ITenantGrain>(S.TenantId).JobEnded(S.JobId).Ignore();
        _timer?.Dispose();
        _timer = null;
        if (final != JobStatus.Completed && S.Script is { } script)
        {
            // Withdraw the scenes' queued work (a scene shared with another job keeps its other waiter).
            var cancels = Enumerable.Range(0, script.Scenes.Count).Select(i => GrainFactory.GetGrain<ISceneGrain>($"{Key}/{i}").Cancel());
            try { await Task.WhenAll(cancels); }
            catch (Exception e) { log.LogWarning(e, "Could not withdraw every scene of {Job}", Key); }
        }
        if (await this.GetReminder(Supervisor) is { } r) await this.UnregisterReminder(r);
        await PublishAsync();
    }
}
