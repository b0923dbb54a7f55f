using ViraLoop.Grains.Messages;

namespace ViraLoop.Grains.Scheduler;

/// <summary>
/// The scheduler's persisted state: the fair scheduler's queues and leases (as JSON: the pure core knows nothing of
/// Orleans), each item's work, and the dispatch log.
/// </summary>
[GenerateSerializer, Alias("vl.scheduler-state")]
public sealed class SchedulerGrainState
{
    [Id(0)] public string Core { get; set; } = "";
    [Id(1)] public Dictionary<string, GpuWork> Work { get; set; } = [];
    [Id(2)] public List<GpuDispatch> Dispatches { get; set; } = [];

    /// <summary>Plans set through <see cref="ISchedulerGrain.SetTenantPlan"/> (they win over configured ones).</summary>
    [Id(3)] public HashSet<string> ExplicitPlans { get; set; } = [];
}
