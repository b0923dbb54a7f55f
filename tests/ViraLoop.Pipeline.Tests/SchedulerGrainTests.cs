using ViraLoop.Grains;
using ViraLoop.Grains.Messages;
using ViraLoop.Media;
using ViraLoop.Media.Assembly;
using ViraLoop.Media.Captions;
using ViraLoop.Media.Visuals;
using ViraLoop.Media.Visuals.Backends;

namespace ViraLoop.Pipeline.Tests;

/// <summary>
/// The scheduler grain (its own pool, so the silo's GPU worker leaves these items alone): tiers from the tenant plan,
/// weighted fair shares among backlogged tenants, refusal above the plan, fenced leases, and state that outlives the activation.
/// </summary>
public sealed class SchedulerGrainTests
{
    private static GpuWork Work(string tenant, int i) => new($"{tenant}-{i}.1", $"visual/{tenant}-{i}", tenant, 1.0, new RenderScene(
        $"{tenant}/job", tenant, 0,
        new TimedScene(new SceneScript(0, SceneKind.Hook, "A scene.", [], "", 1), 0, 1, 0, [], VisualStyle.Gradient, "en"),
        Palette.Named["ocean"], 1, new VisualJob($"{tenant}-{i}", "A scene.", "", "gradient", 540, 960, 1, 30, 1),
        RenderSettings.Preview, "procedural", ""));

    [Fact]
    public async Task BackloggedTenants_GetSlotsByWeight_TheHighTierFirst_AndNobodyAboveTheirPlan()
    {
        await using var vl = await Embedded.StartAsync();
        var scheduler = vl.Grains.GetGrain<ISchedulerGrain>("fairness-test");
        await scheduler.SetTenantPlan(new TenantPlanView("heavy", 3, "standard"));
        await scheduler.SetTenantPlan(new TenantPlanView("light", 1, "standard"));
        await scheduler.SetTenantPlan(new TenantPlanView("vip", 1, "high"));
        await Assert.ThrowsAsync<ArgumentException>(() => scheduler.Enqueue(Work("light", 99), "high"));

        for (var i = 0; i < 40; i++)
        {
            await scheduler.Enqueue(Work("heavy", i), "");
            await scheduler.Enqueue(Work("light", i), "");
        }
        for (var i = 0; i < 4; i++) await scheduler.Enqueue(Work("vip", i), "");

        // One worker with one slot takes the queue item by item.
        var order = new List<string>();
        for (var n = 0; n < 44; n++)
        {
            var a = Assert.Single(await scheduler.Pull("w1", 1, 1));
            Assert.Equal(LeaseAnswer.Accepted, await scheduler.Complete(a.Lease));
            order.Add(a.Work.TenantId);
        }
        Assert.Equal(["vip", "vip", "vip", "vip"], order.Take(4));
        var next40 = order.Skip(4).ToList();
        var heavyShare = next40.Count(t => t == "heavy") / 40.0;
        // Weights 3 : 1 while both are backlogged: heavy gets 75 % of the slots (± one dispatch either way).
        Assert.InRange(heavyShare, 0.75 - 1 / 40.0, 0.75 + 1 / 40.0);
        // No run of light starvation: light is served at least once in every 5 dispatches.
        for (var i = 0; i + 5 <= next40.Count; i++) Assert.Contains("light", next40.Skip(i).Take(5));
    }

    [Fact]
    public async Task ALease_IsFenced_AndTheQueueOutlivesTheActivation()
    {
        var dir = Directory.CreateTempSubdirectory("vl-sched-").FullName;
        GpuAssignment first;
        await using (var vl = await Embedded.StartAsync(directory: dir))
        {
            var scheduler = vl.Grains.GetGrain<ISchedulerGrain>("fencing-test");
            await scheduler.Enqueue(Work("acme", 1), "");
            await scheduler.Enqueue(Work("acme", 2), "");
            first = Assert.Single(await scheduler.Pull("w1", 1, 1));
            Assert.Equal(GpuItemStatus.Leased, await scheduler.GetStatus(first.Lease.ItemId));
            // A lease with a made-up token is refused: only the holder of the newest lease may report.
            Assert.Equal(LeaseAnswer.Stale, await scheduler.Complete(first.Lease with { Token = first.Lease.Token + 100 }));
        }
        await using var again = await Embedded.StartAsync(directory: dir);
        var restored = again.Grains.GetGrain<ISchedulerGrain>("fencing-test");
        Assert.Equal(GpuItemStatus.Leased, await restored.GetStatus(first.Lease.ItemId));
        Assert.Equal(GpuItemStatus.Queued, await restored.GetStatus("acme-2.1"));
        Assert.Equal(LeaseAnswer.Accepted, await restored.Complete(first.Lease));
        Assert.Equal(GpuItemStatus.Completed, await restored.GetStatus(first.Lease.ItemId));
        var second = Assert.Single(await restored.Pull("w2", 1, 1));
        Assert.Equal("acme-2.1", second.Lease.ItemId);
    }
}
