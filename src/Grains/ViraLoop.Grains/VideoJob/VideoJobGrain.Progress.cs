using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using ViraLoop.Grains.Messages;
using ViraLoop.Media.Pipeline.Steps;

namespace ViraLoop.Grains.VideoJob;

public sealed partial class VideoJobGrain
{
    /// <summary>Publishes the job as it stands (and one scene, when the event is about it). A failed publish never fails the job.</summary>
    private async Task PublishAsync(SceneSnapshot? scene = null, string? error = null)
    {
        var percent = Percent();
        var progress = new JobProgress(Key, (S.Epoch << 32) | (uint)++_counter, S.Status, percent, CurrentStep(), scene, Eta(percent),
            error ?? S.Error, DateTimeOffset.UtcNow, StepFraction());
        Remember(progress);
        try
        {
            _stream ??= this.GetStreamProvider(StreamNames.Provider).GetStream<JobProgress>(StreamId.Create(StreamNames.Jobs, Key));
            await _stream.OnNextAsync(progress);
        }
        catch (Exception e)
        {
            log.LogWarning(e, "Could not publish progress of {Job}", Key);
        }
    }

    /// <summary>The last events this activation published, for subscribers that reconnect (<see cref="GetEventsSince"/>).</summary>
    private readonly Queue<JobProgress> _recent = new();
    private const int RecentEvents = 256;
    private long _firstRemembered = -1;
    private const long FirstEver = (1L << 32) | 1;

    private void Remember(JobProgress e)
    {
        if (_firstRemembered < 0) _firstRemembered = e.Sequence;
        _recent.Enqueue(e);
        if (_recent.Count > RecentEvents) _firstRemembered = _recent.Dequeue() is { } gone ? gone.Sequence + 1 : _firstRemembered;
        // Wake the feeds waiting in WaitForEventsSince.
        var waiting = _published;
        _published = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        waiting.TrySetResult();
    }

    /// <summary>Completed (and replaced) whenever an event is remembered.</summary>
    private TaskCompletionSource _published = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The longest a feed's call waits here: well inside the grain call's response timeout.</summary>
    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(5);

    public async Task<JobReplay> WaitForEventsSince(long afterSequence, TimeSpan wait)
    {
        if (!state.RecordExists || S.Order is null) throw new KeyNotFoundException($"There is no job {Key}.");
        if (!S.Status.IsFinal() && !_recent.Any(e => e.Sequence > afterSequence))
        {
            var published = _published.Task;
            var timeout = wait < TimeSpan.Zero ? TimeSpan.Zero : wait > MaxWait ? MaxWait : wait;
            await Task.WhenAny(published, Task.Delay(timeout));
        }
        return await GetEventsSince(afterSequence);
    }

    public Task<JobReplay> GetEventsSince(long afterSequence)
    {
        if (!state.RecordExists || S.Order is null) throw new KeyNotFoundException($"There is no job {Key}.");
        var events = _recent.Where(e => e.Sequence > afterSequence).ToList();
        // Complete when nothing after the asked sequence was published before what is held: the subscriber has seen
        // everything up to the first held event, or that event is the job's very first (epoch 1, counter 1).
        var complete = _firstRemembered >= 0 && (afterSequence + 1 >= _firstRemembered || _firstRemembered == FirstEver);
        return Task.FromResult(new JobReplay(Snapshot(), events, complete));
    }

    private JobSnapshot Snapshot()
    {
        var percent = Percent();
        int n = S.Script?.Scenes.Count ?? 0;
        return new JobSnapshot(S.JobId, S.TenantId, S.Status, percent, CurrentStep(),
            Enumerable.Range(0, n).Select(SceneView).ToList(), Eta(percent), S.Error,
            new Dictionary<string, string>(S.Outputs), S.CreatedAt, S.UpdatedAt, S.Script?.Title, S.Seed, S.Withheld, S.Rejection, S.Provenance,
            S.NearDuplicate, S.Order?.Experiment, S.Order?.Arm);
    }

    private SceneSnapshot SceneView(int i)
    {
        var rendered = i < S.Visuals.Count ? S.Visuals[i] : null;
        if (rendered is not null) return new SceneSnapshot(i, SceneStatus.Ready, rendered.PreviewKey, rendered.Backend, rendered.Note);
        var voiced = i < S.Voices.Count && S.Voices[i] is not null;
        if (S.Timeline is not null) return new SceneSnapshot(i, SceneStatus.Rendering);
        return new SceneSnapshot(i, voiced ? SceneStatus.Voiced : S.Status == JobStatus.Scenes ? SceneStatus.Voicing : SceneStatus.Pending);
    }

    /// <summary>Share of the work done: script 5 %, voices 15 % (half a pass when they are spoken twice), visuals 20 %, encode 50 %, packaging 10 %.</summary>
    private double Percent()
    {
        double Frac(int done, int of) => of == 0 ? 0 : (double)done / of;
        var p = S.Status switch
        {
            JobStatus.Accepted => 0,
            JobStatus.Scripting => 1,
            JobStatus.AwaitingApproval => 5,
            // Voices spoken again faster (to fit the length) are the second half of the voice share, so percent never goes back.
            JobStatus.Scenes when S.Timeline is null => (S.VoiceSpeed == 1.0 ? 5 : 12.5) + 7.5 * Frac(S.Voices.Count(v => v is not null), S.Voices.Count),
            JobStatus.Scenes => 20 + 20 * Frac(S.Visuals.Count(v => v is not null), S.Visuals.Count),
            JobStatus.Assembly => 40 + 50 * (_running?.Fraction ?? 0),
            JobStatus.Packaging => 90,
            JobStatus.Completed => 100,
            _ => 0,
        };
        return Math.Round(Math.Max(p, S.Status == JobStatus.Completed ? 100 : S.PercentFloor), 1);
    }

    private string? CurrentStep() => S.Status switch
    {
        JobStatus.Scripting => StepNames.Script,
        JobStatus.Scenes when S.Timeline is null => StepNames.Voice,
        JobStatus.Scenes => StepNames.Visuals,
        JobStatus.Assembly => StepNames.Render,
        JobStatus.Packaging => StepNames.Package,
        _ => null,
    };

    private double? StepFraction() => S.Status switch
    {
        JobStatus.Scenes when S.Timeline is null => S.Voices.Count == 0 ? 0 : (double)S.Voices.Count(v => v is not null) / S.Voices.Count,
        JobStatus.Scenes => S.Visuals.Count == 0 ? 0 : (double)S.Visuals.Count(v => v is not null) / S.Visuals.Count,
        JobStatus.Assembly => _running?.Fraction ?? 0,
        JobStatus.Completed => 1,
        _ => null,
    };

    /// <summary>Time left at the pace so far (none before 5 %).</summary>
    private double? Eta(double percent)
    {
        if (S.Status.IsFinal() || S.StartedAt is not { } started || percent < 5) return S.Status == JobStatus.Completed ? 0 : null;
        var elapsed = (DateTimeOffset.UtcNow - started).TotalSeconds;
        return Math.Round(elapsed * (100 - percent) / percent, 1);
    }
}
