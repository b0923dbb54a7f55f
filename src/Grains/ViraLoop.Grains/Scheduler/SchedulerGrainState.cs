using ViraLoop.Grains.Messages;
using ViraLoop.Grains.Scheduling;

namespace ViraLoop.Grains.Scheduler;

/// <summary>The scheduler's persisted state: the fair scheduler's queues and leases, each item's work, and the dispatch log.</summary>
public sealed class SchedulerGrainState
{
    public SchedulerState Core { get; set; } = new();
    public Dictionary<string, GpuWork> Work { get; set; } = [];
    public Dictionary<string, string> Priorities { get; set; } = [];
    public List<GpuDispatch> Dispatches { get; set; } = [];

    /// <summary>Plans set through <see cref="ISchedulerGrain.SetTenantPlan"/> (they win over configured ones).</summary>
    public HashSet<string> ExplicitPlans { get; set; } = [];
}
