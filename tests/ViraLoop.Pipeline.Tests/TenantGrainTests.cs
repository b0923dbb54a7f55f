using ViraLoop.Grains;
using ViraLoop.Grains.Messages;

namespace ViraLoop.Pipeline.Tests;

/// <summary>The tenant's job index across its pages, admissions, withdrawals and quotas, on an embedded silo.</summary>
public sealed class TenantGrainTests
{
    [Fact]
    public async Task JobIndex_SpansPages_NewestFirst_AndAWithdrawnJobLeavesIt()
    {
        await using var vl = await Embedded.StartAsync();
        var tenant = vl.Grains.GetGrain<ITenantGrain>("paged");
        await tenant.SetPlan(new TenantPlanSettings { Name = "big", VideosPerDay = 1000, ConcurrentJobs = 1000 });
        var at = DateTimeOffset.UtcNow;
        for (var i = 0; i < 450; i++)
            Assert.Equal(AdmissionOutcome.Admitted, (await tenant.Admit(new AdmissionRequest($"j{i:000}", null, "f", 1, at.AddMilliseconds(i)))).Outcome);
        await tenant.Withdraw("j449");
        await tenant.Withdraw("j200");

        var first = await tenant.ListJobs(0, 5);
        Assert.Equal(448, first.Total);
        Assert.Equal(["j448", "j447", "j446", "j445", "j444"], first.Jobs.Select(j => j.JobId));
        var across = await tenant.ListJobs(246, 4); // crosses from page 1 (j200..j399) into page 0
        Assert.Equal(["j202", "j201", "j199", "j198"], across.Jobs.Select(j => j.JobId));
        var last = await tenant.ListJobs(445, 10);
        Assert.Equal(["j002", "j001", "j000"], last.Jobs.Select(j => j.JobId));
        Assert.Equal(448, (await tenant.GetUsage()).VideosToday);
    }
}
