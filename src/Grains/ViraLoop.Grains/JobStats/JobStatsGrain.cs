using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using ViraLoop.Grains.Messages;

namespace ViraLoop.Grains.JobStats;

/// <summary>
/// The cluster's job figures for the dashboard. Job grains report every state change one way; changes older than the
/// last one heard for a job, and changes of a job already finished, are ignored (reports may arrive out of order once a
/// job moved silo). The counters, the last hour's minutes and the recent changes are written every few seconds when
/// they changed (a few kilobytes, whatever the number of jobs); the set of jobs in flight is kept in memory only, so
/// after this grain moves silo a job shows as in flight again at its next state change. A job that has said nothing
/// for a long while is asked how it stands, so a report lost with a crash does not leave it in flight forever.
/// </summary>
[Reentrant]
public sealed class JobStatsGrain(
    [PersistentState("job-stats")] IPersistentState<JobStatsState> state,
    ILogger<JobStatsGrain> log) : Grain, IJobStatsGrain
{
    private const int MaxMinutes = 60, MaxRecent = 30, MaxFailures = 20, MaxFinishedKeys = 20_000;
    private static readonly TimeSpan SaveEvery = TimeSpan.FromSeconds(5), AskAfter = TimeSpan.FromMinutes(10);
    private JobStatsState S => state.State;
    private readonly HashSet<string> _finished = [];
    private readonly Queue<string> _finishedOrder = new();
    private readonly Dictionary<string, JobStateChange> _inFlight = [];
    private bool _dirty, _saving;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (!state.RecordExists) S.Since = DateTimeOffset.UtcNow;
        this.RegisterGrainTimer(TickAsync, new GrainTimerCreationOptions { DueTime = SaveEvery, Period = SaveEvery, KeepAlive = true, Interleave = false });
        return base.OnActivateAsync(cancellationToken);
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_dirty) await SaveAsync();
    }

    public Task Record(JobStateChange change)
    {
        Apply(change);
        return Task.CompletedTask;
    }

    internal void Apply(JobStateChange c)
    {
        if (_finished.Contains(c.JobKey)) return;
        var known = _inFlight.TryGetValue(c.JobKey, out var was);
        if (known && (was!.At > c.At || was.At == c.At && was.Status == c.Status)) return;
        var tenant = Tenant(c.TenantId);
        var minute = Minute(c.At);
        // A job is counted as submitted when first heard of, whichever report comes first (one-way reports may overtake each other).
        if (!known) { tenant.Submitted++; Minute(c.Status is JobStatus.Accepted ? c.At : DateTimeOffset.UtcNow).Submitted++; }
        if (c.Status.IsFinal())
        {
            _inFlight.Remove(c.JobKey);
            if (_finished.Add(c.JobKey)) _finishedOrder.Enqueue(c.JobKey);
            while (_finishedOrder.Count > MaxFinishedKeys) _finished.Remove(_finishedOrder.Dequeue());
            switch (c.Status)
            {
                case JobStatus.Completed: tenant.Completed++; minute.Completed++; break;
                // A refusal of the content policy is shown with the failures (its reason names the category and passage).
                case JobStatus.Failed or JobStatus.Rejected: tenant.Failed++; minute.Failed++; Add(S.Failures, c, MaxFailures); break;
                default: tenant.Cancelled++; minute.Cancelled++; break;
            }
        }
        else
        {
            _inFlight[c.JobKey] = c;
        }
        Add(S.Recent, c, MaxRecent);
        _dirty = true;
    }

    public Task<JobsView> GetView()
    {
        var byState = _inFlight.Values.GroupBy(c => c.Status.Name()).ToDictionary(g => g.Key, g => g.Count());
        var tenants = S.Tenants.Values.OrderBy(t => t.TenantId, StringComparer.Ordinal).Select(t => new TenantJobsView(t.TenantId,
            _inFlight.Values.Where(c => c.TenantId == t.TenantId).GroupBy(c => c.Status.Name()).ToDictionary(g => g.Key, g => g.Count()),
            t.Submitted, t.Completed, t.Failed, t.Cancelled)).ToList();
        // Every minute of the last hour, empty ones included, so a chart has no gaps.
        var now = Floor(DateTimeOffset.UtcNow);
        var minutes = Enumerable.Range(0, MaxMinutes).Select(i => now.AddMinutes(i - MaxMinutes + 1))
            .Select(m => S.Minutes.FirstOrDefault(x => x.Minute == m) is { } x ? new JobsMinute(m, x.Submitted, x.Completed, x.Failed, x.Cancelled) : new JobsMinute(m, 0, 0, 0, 0))
            .ToList();
        return Task.FromResult(new JobsView(_inFlight.Count, byState, tenants, minutes,
            S.Failures.AsEnumerable().Reverse().ToList(), S.Recent.AsEnumerable().Reverse().ToList(), S.Since));
    }

    private async Task TickAsync(CancellationToken ct)
    {
        var stale = _inFlight.Values.Where(c => c.Status != JobStatus.AwaitingApproval && DateTimeOffset.UtcNow - c.At > AskAfter).Take(20).ToList();
        foreach (var c in stale)
        {
            try
            {
                var snap = await GrainFactory.GetGrain<IVideoJobGrain>(c.JobKey).GetSnapshot();
                Apply(new JobStateChange(c.JobKey, c.TenantId, snap.Status, snap.UpdatedAt > c.At ? snap.UpdatedAt : DateTimeOffset.UtcNow, snap.Error));
            }
            catch (KeyNotFoundException)
            {
                _inFlight.Remove(c.JobKey);
            }
            catch (Exception e)
            {
                log.LogDebug(e, "Could not ask job {Job} how it stands", c.JobKey);
            }
        }
        if (_dirty) await SaveAsync();
    }

    private async Task SaveAsync()
    {
        if (_saving) return;
        _saving = true;
        try
        {
            _dirty = false;
            var cutoff = Floor(DateTimeOffset.UtcNow).AddMinutes(-MaxMinutes);
            S.Minutes.RemoveAll(m => m.Minute <= cutoff);
            await state.WriteStateAsync();
        }
        catch (Exception e)
        {
            _dirty = true;
            log.LogWarning(e, "Could not save the job statistics; trying again in {Seconds} s", SaveEvery.TotalSeconds);
        }
        finally
        {
            _saving = false;
        }
    }

    private TenantJobCounts Tenant(string id)
    {
        if (!S.Tenants.TryGetValue(id, out var t)) S.Tenants[id] = t = new TenantJobCounts { TenantId = id };
        return t;
    }

    private MinuteCounts Minute(DateTimeOffset at)
    {
        var m = Floor(at);
        var found = S.Minutes.FirstOrDefault(x => x.Minute == m);
        if (found is null)
        {
            S.Minutes.Add(found = new MinuteCounts { Minute = m });
            S.Minutes.Sort((a, b) => a.Minute.CompareTo(b.Minute));
        }
        return found;
    }

    private static DateTimeOffset Floor(DateTimeOffset t) => new(t.UtcDateTime.Year, t.UtcDateTime.Month, t.UtcDateTime.Day, t.UtcDateTime.Hour, t.UtcDateTime.Minute, 0, TimeSpan.Zero);

    private static void Add(List<JobStateChange> list, JobStateChange c, int max)
    {
        list.Add(c);
        if (list.Count > max) list.RemoveRange(0, list.Count - max);
    }
}

[GenerateSerializer, Alias("vl.job-stats-state")]
public sealed class JobStatsState
{
    [Id(0)] public DateTimeOffset Since { get; set; }
    [Id(2)] public Dictionary<string, TenantJobCounts> Tenants { get; set; } = [];
    [Id(3)] public List<MinuteCounts> Minutes { get; set; } = [];
    [Id(4)] public List<JobStateChange> Failures { get; set; } = [];
    [Id(5)] public List<JobStateChange> Recent { get; set; } = [];
}

[GenerateSerializer, Alias("vl.tenant-job-counts")]
public sealed class TenantJobCounts
{
    [Id(0)] public string TenantId { get; set; } = "";
    [Id(1)] public long Submitted { get; set; }
    [Id(2)] public long Completed { get; set; }
    [Id(3)] public long Failed { get; set; }
    [Id(4)] public long Cancelled { get; set; }
}

[GenerateSerializer, Alias("vl.minute-counts")]
public sealed class MinuteCounts
{
    [Id(0)] public DateTimeOffset Minute { get; set; }
    [Id(1)] public int Submitted { get; set; }
    [Id(2)] public int Completed { get; set; }
    [Id(3)] public int Failed { get; set; }
    [Id(4)] public int Cancelled { get; set; }
}
