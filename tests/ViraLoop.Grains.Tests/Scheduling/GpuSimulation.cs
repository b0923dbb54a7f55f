using Xunit;
using ViraLoop.Grains.Scheduling;

namespace ViraLoop.Grains.Tests.Scheduling;

/// <summary>
/// Discrete-time stand-in for GPU workers: every step the clock moves by <c>step</c>, items whose run time
/// (their cost) is over are completed, running items are renewed, and each worker pulls for its free slots.
/// </summary>
internal sealed class GpuSimulation(SchedulerFixture fixture, int workers, int slotsPerWorker, double step = 0.1)
{
    private readonly List<(LeasedWork Work, string Worker, double End)> running = [];

    public Dictionary<string, double> DispatchedAt { get; } = [];

    /// <summary>GPU seconds completed per tenant, with the completion time, for share windows.</summary>
    public List<(string Tenant, double Seconds, double At)> Completed { get; } = [];

    public Action<double>? BeforeStep { get; init; }

    public void RunUntil(double seconds)
    {
        while (fixture.Clock.Elapsed < seconds)
        {
            fixture.Advance(step);
            var now = fixture.Clock.Elapsed;
            BeforeStep?.Invoke(now);
            foreach (var done in running.Where(r => r.End <= now + 1e-9).ToList())
            {
                var result = fixture.Scheduler.Complete(done.Work.Lease);
                Assert.True(result.IsAccepted, result.Reason);
                Completed.Add((done.Work.TenantId, done.Work.CostSeconds, now));
                running.Remove(done);
            }

            foreach (var r in running.Where(r => (r.Work.Deadline - fixture.Clock.GetUtcNow()).TotalSeconds < 10).ToList())
            {
                var renewed = fixture.Scheduler.Renew(r.Work.Lease);
                Assert.True(renewed.IsAccepted, renewed.Reason);
                running[running.IndexOf(r)] = (r.Work with { Deadline = renewed.Deadline!.Value }, r.Worker, r.End);
            }

            for (var w = 0; w < workers; w++)
            {
                var worker = $"gpu-{w}";
                var free = slotsPerWorker - running.Count(r => r.Worker == worker);
                if (free == 0)
                {
                    continue;
                }

                foreach (var work in fixture.Pull(worker, free, slotsPerWorker))
                {
                    DispatchedAt[work.Lease.ItemId] = now;
                    running.Add((work, worker, now + work.CostSeconds));
                }
            }
        }
    }

    public Dictionary<string, double> Shares(double from, double to)
    {
        var window = Completed.Where(c => c.At > from && c.At <= to).ToList();
        var total = window.Sum(c => c.Seconds);
        return window.GroupBy(c => c.Tenant).ToDictionary(g => g.Key, g => g.Sum(c => c.Seconds) / total);
    }
}
