using Orleans.Concurrency;
using ViraLoop.Grains.Messages;

namespace ViraLoop.Grains;

/// <summary>
/// The cluster's view of its jobs for the dashboard (one grain, key <see cref="JobStatsKeys.Cluster"/>): jobs in flight
/// by state and tenant, jobs per minute, recent failures. Job grains tell it of every state change (one way); it
/// keeps its figures in memory and persists them every few seconds, so a crash loses at most those seconds of counts
/// (the jobs themselves are never affected).
/// </summary>
public interface IJobStatsGrain : IGrainWithStringKey
{
    [OneWay] Task Record(JobStateChange change);

    Task<JobsView> GetView();
}

public static class JobStatsKeys
{
    public const string Cluster = "cluster";
}

/// <summary>A job moved to <see cref="Status"/> (its error when it failed).</summary>
[GenerateSerializer, Immutable, Alias("vl.job-state-change")]
public sealed record JobStateChange(
    [property: Id(0)] string JobKey,
    [property: Id(1)] string TenantId,
    [property: Id(2)] JobStatus Status,
    [property: Id(3)] DateTimeOffset At,
    [property: Id(4)] string? Error = null,
    [property: Id(5)] string? Silo = null);

[GenerateSerializer, Immutable, Alias("vl.jobs-view")]
public sealed record JobsView(
    [property: Id(0)] int InFlight,
    [property: Id(1)] IReadOnlyDictionary<string, int> InFlightByState,
    [property: Id(2)] IReadOnlyList<TenantJobsView> Tenants,
    [property: Id(3)] IReadOnlyList<JobsMinute> PerMinute,
    [property: Id(4)] IReadOnlyList<JobStateChange> RecentFailures,
    [property: Id(5)] IReadOnlyList<JobStateChange> Recent,
    [property: Id(6)] DateTimeOffset Since);

[GenerateSerializer, Immutable, Alias("vl.tenant-jobs-view")]
public sealed record TenantJobsView(
    [property: Id(0)] string TenantId,
    [property: Id(1)] IReadOnlyDictionary<string, int> InFlightByState,
    [property: Id(2)] long Submitted,
    [property: Id(3)] long Completed,
    [property: Id(4)] long Failed,
    [property: Id(5)] long Cancelled);

/// <summary>Jobs accepted and ended in one minute (UTC, start of the minute).</summary>
[GenerateSerializer, Immutable, Alias("vl.jobs-minute")]
public sealed record JobsMinute(
    [property: Id(0)] DateTimeOffset Minute,
    [property: Id(1)] int Submitted,
    [property: Id(2)] int Completed,
    [property: Id(3)] int Failed,
    [property: Id(4)] int Cancelled);
