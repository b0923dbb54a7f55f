using Microsoft.Extensions.Logging;
using ViraLoop.Grains.Execution;
using ViraLoop.Grains.Messages;
using ViraLoop.Grains.Scheduling;

namespace ViraLoop.Grains.Scheduler;

/// <summary>
/// The GPU pool's scheduler: <see cref="FairScheduler"/> (tiers with aging, weighted fair queuing across tenants, slot caps,
/// batching, fenced leases) behind a grain, persisted after every change. Lease renewals are not persisted: a reactivated
/// scheduler gives every lease a full lease duration from now, so a scheduler crash never takes work from a live worker.
/// </summary>
public sealed class SchedulerGrain(
    [PersistentState("scheduler")] IPersistentState<SchedulerGrainState> state,
    PipelineServices services,
    ILogger<SchedulerGrain> log) : Grain, ISchedulerGrain
{
    // The whole state is written after every change, so it is kept small: the last 500 dispatches, no event history, and
    // finished items for 30 s and never more than 200 (a cache entry records its result before the scheduler hears of it,
    // so it never needs a finished item's status; one that asks later hears "unknown" and queues the work again).
    private const int MaxDispatchLog = 500;
    private const int MaxFinished = 200;
    private static readonly TimeSpan Retention = TimeSpan.FromSeconds(30);
    private static readonly System.Text.Json.JsonSerializerOptions CoreJson = new() { IncludeFields = false };
    private FairScheduler _core = null!;
    private SchedulerState _state = null!;
    private DateTimeOffset _prunedAt;

    /// <summary>Workers seen pulling lately (in memory): woken when work is queued, so it does not wait for their next poll.</summary>
    private readonly Dictionary<string, DateTimeOffset> _workers = new(StringComparer.Ordinal);

    /// <summary>Queue waits of the last first leases (in memory, for the dashboard).</summary>
    private readonly Queue<(DateTimeOffset At, double Seconds)> _waits = new();

    private SchedulerOptions Options => services.Options.Scheduler;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _state = state.State.Core.Length > 0
            ? System.Text.Json.JsonSerializer.Deserialize<SchedulerState>(state.State.Core, CoreJson) ?? new SchedulerState()
            : new SchedulerState();
        _core = new FairScheduler(_state, Options, TimeProvider.System);
        var now = DateTimeOffset.UtcNow;
        var grace = now + Options.LeaseDuration;
        foreach (var item in _state.Items.Values.Where(i => i.Lease is not null && i.Lease.Deadline < grace))
            item.Lease = item.Lease! with { Deadline = grace };
        foreach (var (tenant, plan) in services.Options.Tenants)
            if (!state.State.ExplicitPlans.Contains(tenant)) _core.SetTenant(new TenantPlan(tenant, plan.Weight, plan.Ceiling));
        _prunedAt = now;
        await base.OnActivateAsync(cancellationToken);
    }

    public async Task<GpuItemStatus> Enqueue(GpuWork work, string priority)
    {
        EnsureTenant(work.TenantId);
        PriorityTier? tier = string.IsNullOrWhiteSpace(priority) ? null
            : Priorities.Parse(priority) ?? throw new ArgumentException($"Unknown priority '{priority}': use high, standard or low.");
        var batchKey = $"{work.Render.Backend}:{work.Render.Settings.Width}x{work.Render.Settings.Height}";
        var result = _core.Enqueue(new WorkRequest(work.ItemId, work.CacheKey, work.TenantId, work.CostSeconds, batchKey, tier));
        switch (result.Outcome)
        {
            case EnqueueOutcome.Rejected:
                throw new ArgumentException($"The scheduler refused the work: {result.Reason}.");
            case EnqueueOutcome.Duplicate:
                return Status(work.ItemId);
        }
        state.State.Work[work.ItemId] = work;
        await SaveAsync();
        WakeWorkers();
        return GpuItemStatus.Queued;
    }

    public async Task<IReadOnlyList<GpuAssignment>> Pull(string workerId, int capacity, int freeSlots)
    {
        var before = _state.Events.Count;
        _workers[workerId] = DateTimeOffset.UtcNow;
        var batches = _core.Pull(new PullRequest(workerId, capacity, freeSlots));
        var assignments = new List<GpuAssignment>();
        var now = DateTimeOffset.UtcNow;
        foreach (var batch in batches)
        {
            foreach (var leased in batch.Items)
            {
                if (!state.State.Work.TryGetValue(leased.Lease.ItemId, out var work))
                {
                    // Work without its payload cannot run: fail it so its waiter hears of it.
                    _core.Fail(leased.Lease, "the work's description was lost", retryable: false);
                    continue;
                }
                if (_state.Items.TryGetValue(leased.Lease.ItemId, out var item) && leased.Attempt == 1)
                {
                    ViraLoopMetrics.Leased(leased.TenantId, now - item.EnqueuedAt);
                    _waits.Enqueue((now, (now - item.EnqueuedAt).TotalSeconds));
                    while (_waits.Count > 200) _waits.Dequeue();
                }
                assignments.Add(new GpuAssignment(new GpuLease(leased.Lease.ItemId, leased.Lease.WorkerId, leased.Lease.Token), work,
                    leased.Deadline, leased.Attempt, batch.BatchKey));
                Log(new GpuDispatch(leased.Lease.ItemId, leased.TenantId, workerId, now, null, "leased"));
            }
        }
        PruneNow(now);
        if (assignments.Count > 0 || _state.Events.Count != before) await SaveAsync();
        return assignments;
    }

    private void WakeWorkers()
    {
        var since = DateTimeOffset.UtcNow - TimeSpan.FromSeconds(10);
        foreach (var (worker, seen) in _workers.ToList())
        {
            if (seen < since) { _workers.Remove(worker); continue; }
            _ = GrainFactory.GetGrain<IGpuWorkerGrain>(worker).Wake();
        }
    }

    public Task<LeaseAnswer> Renew(GpuLease lease) => Task.FromResult(Answer(_core.Renew(Ref(lease))));

    public async Task<LeaseAnswer> Complete(GpuLease lease)
    {
        var answer = Answer(_core.Complete(Ref(lease)));
        Finish(lease, answer == LeaseAnswer.Accepted ? "completed" : "refused-" + answer.ToString().ToLowerInvariant());
        PruneNow(DateTimeOffset.UtcNow);
        await SaveAsync();
        return answer;
    }

    public async Task<LeaseAnswer> Fail(GpuLease lease, string reason, bool retryable)
    {
        var answer = Answer(_core.Fail(Ref(lease), reason, retryable));
        Finish(lease, answer == LeaseAnswer.Accepted ? (retryable ? "retry" : "failed") : "refused-" + answer.ToString().ToLowerInvariant());
        await SaveAsync();
        return answer;
    }

    public async Task Cancel(string itemId)
    {
        if (!_state.Items.TryGetValue(itemId, out var item) || item.Status is not (WorkItemStatus.Queued or WorkItemStatus.Leased)) return;
        // The core cancels by job; a scene cache entry is the "job" of its items, and only its current item is live.
        _core.CancelJob(item.JobId);
        var log = state.State.Dispatches;
        for (var i = 0; i < log.Count; i++)
            if (log[i].ItemId == itemId && log[i].CompletedAt is null) log[i] = log[i] with { CompletedAt = DateTimeOffset.UtcNow, Outcome = "withdrawn" };
        await SaveAsync();
    }

    public Task<GpuItemStatus> GetStatus(string itemId)
    {
        _core.ExpireLeases();
        return Task.FromResult(Status(itemId));
    }

    public Task<string?> GetFailure(string itemId) =>
        Task.FromResult(_state.Items.TryGetValue(itemId, out var i) ? i.FailureReason : null);

    public async Task SetTenantPlan(TenantPlanView plan)
    {
        var tier = Priorities.Parse(plan.PriorityCeiling) ?? throw new ArgumentException($"Unknown priority '{plan.PriorityCeiling}': use high, standard or low.");
        _core.SetTenant(new TenantPlan(plan.TenantId, plan.Weight, tier));
        state.State.ExplicitPlans.Add(plan.TenantId);
        await SaveAsync();
    }

    public Task<TenantPlanView> GetTenantPlan(string tenantId)
    {
        if (_state.Tenants.TryGetValue(tenantId, out var t))
            return Task.FromResult(new TenantPlanView(tenantId, t.Weight, Priorities.Name(t.PriorityCeiling)));
        var (weight, ceiling) = DefaultPlan(tenantId);
        return Task.FromResult(new TenantPlanView(tenantId, weight, Priorities.Name(ceiling)));
    }

    public Task<GpuQueueView> GetQueue()
    {
        _core.ExpireLeases();
        var now = DateTimeOffset.UtcNow;
        var queued = _state.Items.Values.Where(i => i.Status == WorkItemStatus.Queued)
            .GroupBy(i => (i.TenantId, Tier: _core.EffectiveTier(i, now)))
            .Select(g => new GpuQueueLine(g.Key.TenantId, Priorities.Name(g.Key.Tier), g.Count(), Math.Round(g.Sum(i => i.CostSeconds), 2),
                Math.Round((now - g.Min(i => i.EnqueuedAt)).TotalSeconds, 2)))
            .OrderByDescending(l => Priorities.Parse(l.Priority)).ThenBy(l => l.TenantId, StringComparer.Ordinal)
            .ToList();
        var leasedBy = _state.LeasedItemIds.Select(id => _state.Items.TryGetValue(id, out var i) ? i.Lease?.WorkerId : null)
            .Where(w => w is not null).GroupBy(w => w!).ToDictionary(g => g.Key, g => g.Count());
        var workers = _state.Workers.Values.OrderBy(w => w.WorkerId, StringComparer.Ordinal)
            .Select(w => new GpuQueueWorker(w.WorkerId, w.Capacity, leasedBy.GetValueOrDefault(w.WorkerId), w.LastSeen)).ToList();
        var minuteAgo = now - TimeSpan.FromMinutes(1);
        var log = state.State.Dispatches;
        var recentWaits = _waits.Where(w => w.At >= now - TimeSpan.FromMinutes(5)).Select(w => w.Seconds).ToList();
        return Task.FromResult(new GpuQueueView(queued, _state.LeasedItemIds.Count, workers,
            log.Count(d => d.CompletedAt >= minuteAgo && d.Outcome == "completed"), log.Count(d => d.LeasedAt >= minuteAgo),
            recentWaits.Count > 0 ? Math.Round(recentWaits.Average(), 3) : null));
    }

    public Task<IReadOnlyList<GpuDispatch>> GetDispatches() => Task.FromResult<IReadOnlyList<GpuDispatch>>(state.State.Dispatches.ToList());

    private void EnsureTenant(string tenantId)
    {
        if (_state.Tenants.ContainsKey(tenantId)) return;
        var (weight, ceiling) = DefaultPlan(tenantId);
        _core.SetTenant(new TenantPlan(tenantId, weight, ceiling));
    }

    private (double Weight, PriorityTier Ceiling) DefaultPlan(string tenantId) =>
        services.Options.Tenants.TryGetValue(tenantId, out var p) ? p : (services.Options.DefaultWeight, services.Options.DefaultCeiling);

    private GpuItemStatus Status(string itemId) =>
        !_state.Items.TryGetValue(itemId, out var item) ? GpuItemStatus.Unknown : item.Status switch
        {
            WorkItemStatus.Queued => GpuItemStatus.Queued,
            WorkItemStatus.Leased => GpuItemStatus.Leased,
            WorkItemStatus.Completed => GpuItemStatus.Completed,
            WorkItemStatus.Failed => GpuItemStatus.Failed,
            _ => GpuItemStatus.Cancelled,
        };

    private static LeaseRef Ref(GpuLease l) => new(l.ItemId, l.WorkerId, l.Token);

    private static LeaseAnswer Answer(LeaseResult r) => r.Outcome switch
    {
        LeaseOutcome.Accepted => LeaseAnswer.Accepted,
        LeaseOutcome.Stale => LeaseAnswer.Stale,
        LeaseOutcome.Cancelled => LeaseAnswer.Cancelled,
        _ => LeaseAnswer.Unknown,
    };

    private void Log(GpuDispatch d)
    {
        var log = state.State.Dispatches;
        log.Add(d);
        if (log.Count > MaxDispatchLog) log.RemoveRange(0, log.Count - MaxDispatchLog);
    }

    private void Finish(GpuLease lease, string outcome)
    {
        var log = state.State.Dispatches;
        for (var i = log.Count - 1; i >= 0; i--)
        {
            if (log[i].ItemId == lease.ItemId && log[i].WorkerId == lease.WorkerId && log[i].CompletedAt is null)
            {
                log[i] = log[i] with { CompletedAt = DateTimeOffset.UtcNow, Outcome = outcome };
                return;
            }
        }
    }

    private void PruneNow(DateTimeOffset now)
    {
        var finished = _state.Items.Values.Count(i => i.Status is WorkItemStatus.Completed or WorkItemStatus.Failed or WorkItemStatus.Cancelled);
        if (now - _prunedAt < TimeSpan.FromSeconds(10) && finished <= MaxFinished) return;
        _prunedAt = now;
        _core.PruneFinished(finished > MaxFinished ? TimeSpan.Zero : Retention);
        foreach (var id in state.State.Work.Keys.Where(id => !_state.Items.ContainsKey(id)).ToList()) state.State.Work.Remove(id);
        _core.TakeEvents();
    }

    private async Task SaveAsync()
    {
        _core.TakeEvents(); // the grain keeps its own dispatch log; the core's event history is not needed
        try
        {
            state.State.Core = System.Text.Json.JsonSerializer.Serialize(_state, CoreJson);
            await state.WriteStateAsync();
        }
        catch (Exception e)
        {
            log.LogError(e, "The scheduler could not save its state");
            throw;
        }
    }
}
