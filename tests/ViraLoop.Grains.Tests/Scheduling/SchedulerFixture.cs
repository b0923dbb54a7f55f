using Xunit;
using ViraLoop.Grains.Scheduling;

namespace ViraLoop.Grains.Tests.Scheduling;

/// <summary>A scheduler over fresh state with a manual clock, and short helpers for the tests.</summary>
internal sealed class SchedulerFixture
{
    private int nextItem;

    public SchedulerFixture(SchedulerOptions? options = null)
    {
        Clock = new ManualTimeProvider();
        Scheduler = new FairScheduler(new SchedulerState(), options ?? new SchedulerOptions(), Clock);
    }

    public ManualTimeProvider Clock { get; }

    public FairScheduler Scheduler { get; }

    public SchedulerState State => Scheduler.State;

    public FairScheduler Tenant(string id, double weight = 1, PriorityTier ceiling = PriorityTier.High)
    {
        Scheduler.SetTenant(new TenantPlan(id, weight, ceiling));
        return Scheduler;
    }

    public string Enqueue(string tenant, double cost = 1, string batchKey = "procedural", PriorityTier? tier = null, string? job = null)
    {
        var id = $"{tenant}-{nextItem++}";
        var result = Scheduler.Enqueue(new WorkRequest(id, job ?? $"job-{tenant}", tenant, cost, batchKey, tier));
        Assert.True(result.IsAccepted, result.Reason);
        return id;
    }

    public List<LeasedWork> Pull(string worker = "w1", int free = 1, int capacity = -1, int? maxBatch = null) =>
        Scheduler.Pull(new PullRequest(worker, capacity < 0 ? Math.Max(free, 1) : capacity, free, maxBatch))
            .SelectMany(b => b.Items)
            .ToList();

    public void Advance(double seconds) => Clock.Advance(TimeSpan.FromSeconds(seconds));

    public WorkItem Item(string id) => State.Items[id];
}
