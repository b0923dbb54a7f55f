using ViraLoop.Grains;
using ViraLoop.Grains.Messages;

namespace ViraLoop.Pipeline.Tests;

/// <summary>The dashboard's job figures: reports arrive one way and may arrive late or out of order.</summary>
public sealed class JobStatsGrainTests
{
    [Fact]
    public async Task LateAndOutOfOrderReports_NeitherResurrectNorDoubleCount()
    {
        await using var vl = await Embedded.StartAsync();
        var stats = vl.Grains.GetGrain<IJobStatsGrain>("stats-test");
        var t0 = DateTimeOffset.UtcNow;
        JobStateChange C(string job, JobStatus s, int ms, string tenant = "acme", string? error = null) => new($"{tenant}/{job}", tenant, s, t0.AddMilliseconds(ms), error);

        await stats.Record(C("a", JobStatus.Accepted, 0));
        await stats.Record(C("a", JobStatus.Scenes, 20));
        await stats.Record(C("a", JobStatus.Scripting, 10)); // older than what was heard: ignored
        await stats.Record(C("b", JobStatus.Accepted, 0));
        await stats.Record(C("b", JobStatus.Failed, 30, error: "the render step failed"));
        await stats.Record(C("b", JobStatus.Packaging, 25)); // a late report of a finished job: ignored
        await stats.Record(C("c", JobStatus.Accepted, 0, "globex"));
        await stats.Record(C("c", JobStatus.Accepted, 0, "globex")); // the same report twice: counted once
        await stats.Record(C("c", JobStatus.Completed, 40, "globex"));

        // Reports are one-way (and may overtake each other): wait until the jobs have ended as their last reports say.
        var view = await stats.GetView();
        for (var deadline = DateTime.UtcNow.AddSeconds(10); (view.Tenants.Sum(t => t.Completed + t.Failed) < 2 || !view.InFlightByState.ContainsKey("scenes")) && DateTime.UtcNow < deadline; view = await stats.GetView())
            await Task.Delay(20);
        Assert.Equal(1, view.InFlight);
        Assert.Equal(new Dictionary<string, int> { ["scenes"] = 1 }, view.InFlightByState);
        var acme = view.Tenants.Single(t => t.TenantId == "acme");
        Assert.Equal((2L, 0L, 1L, 0L), (acme.Submitted, acme.Completed, acme.Failed, acme.Cancelled));
        var globex = view.Tenants.Single(t => t.TenantId == "globex");
        Assert.Equal((1L, 1L), (globex.Submitted, globex.Completed));
        Assert.Equal("the render step failed", Assert.Single(view.RecentFailures).Error);
        Assert.Equal(60, view.PerMinute.Count);
        Assert.Equal(3, view.PerMinute.Sum(m => m.Submitted));
        Assert.Equal(1, view.PerMinute.Sum(m => m.Completed));
        Assert.Contains(view.Recent, c => c.JobKey == "globex/c" && c.Status == JobStatus.Completed);
    }
}
