using ViraLoop.Grains.Scheduling;
using Xunit;

namespace ViraLoop.Grains.Tests.Scheduling;

public sealed class FairSchedulerPriorityTests
{
    [Fact]
    public void Enqueue_TierAboveCeiling_RejectedWithReason()
    {
        var fixture = new SchedulerFixture();
        fixture.Tenant("free", ceiling: PriorityTier.Low);

        var result = fixture.Scheduler.Enqueue(new WorkRequest("i1", "j1", "free", 1, "k", PriorityTier.High));

        Assert.Equal(EnqueueOutcome.Rejected, result.Outcome);
        Assert.Contains("ceiling", result.Reason);
        Assert.Empty(fixture.State.Items);
    }

    [Fact]
    public void Enqueue_NoTierOrLowerTier_UsesCeilingOrTheLowerTier()
    {
        var fixture = new SchedulerFixture();
        fixture.Tenant("pro", ceiling: PriorityTier.Standard);

        Assert.Equal(PriorityTier.Standard, fixture.Scheduler.Enqueue(new WorkRequest("i1", "j", "pro", 1, "k")).Tier);
        Assert.Equal(PriorityTier.Low, fixture.Scheduler.Enqueue(new WorkRequest("i2", "j", "pro", 1, "k", PriorityTier.Low)).Tier);
    }

    [Theory]
    [InlineData("nobody", 1.0, "k")]
    [InlineData("t", 0.0, "k")]
    [InlineData("t", double.NaN, "k")]
    [InlineData("t", 1.0, " ")]
    public void Enqueue_InvalidRequest_Rejected(string tenant, double cost, string batchKey)
    {
        var fixture = new SchedulerFixture();
        fixture.Tenant("t");

        var result = fixture.Scheduler.Enqueue(new WorkRequest("i1", "j1", tenant, cost, batchKey));

        Assert.Equal(EnqueueOutcome.Rejected, result.Outcome);
        Assert.False(string.IsNullOrWhiteSpace(result.Reason));
    }

    [Fact]
    public void Enqueue_SameIdTwice_SecondIsDuplicateAndChangesNothing()
    {
        var fixture = new SchedulerFixture();
        fixture.Tenant("t");
        fixture.Scheduler.Enqueue(new WorkRequest("i1", "j1", "t", 1, "k"));

        var again = fixture.Scheduler.Enqueue(new WorkRequest("i1", "j1", "t", 9, "other"));

        Assert.Equal(EnqueueOutcome.Duplicate, again.Outcome);
        Assert.Equal(1, fixture.State.Tenants["t"].QueuedCount());
        Assert.Equal(1, fixture.Item("i1").CostSeconds);
    }

    [Fact]
    public void SetTenant_PlanDowngraded_QueuedItemsLoweredToNewCeiling()
    {
        var fixture = new SchedulerFixture();
        fixture.Tenant("t", ceiling: PriorityTier.High);
        var high = fixture.Enqueue("t", tier: PriorityTier.High);
        var low = fixture.Enqueue("t", tier: PriorityTier.Low);

        fixture.Tenant("t", ceiling: PriorityTier.Standard);

        Assert.Equal(PriorityTier.Standard, fixture.Item(high).Tier);
        Assert.Equal(PriorityTier.Low, fixture.Item(low).Tier);
        Assert.Equal(high, Assert.Single(fixture.Pull(free: 1)).Lease.ItemId);
    }

    [Fact]
    public void Pull_HigherTierQueuedLater_ServedFirstAcrossAndWithinTenants()
    {
        var fixture = new SchedulerFixture();
        fixture.Tenant("a", ceiling: PriorityTier.High);
        fixture.Tenant("b", ceiling: PriorityTier.Standard);
        var aLow = fixture.Enqueue("a", tier: PriorityTier.Low);
        var bStandard = fixture.Enqueue("b");
        var aHigh = fixture.Enqueue("a", tier: PriorityTier.High);

        var order = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var work = Assert.Single(fixture.Pull(free: 1));
            order.Add(work.Lease.ItemId);
            fixture.Scheduler.Complete(work.Lease);
        }

        Assert.Equal([aHigh, bStandard, aLow], order);
    }

    [Fact]
    public void Pull_ConstantHighTierLoad_LowTierItemServedAfterTwoAgingStepsNotBefore()
    {
        // One slot, so the slot cap cannot help the low tenant; only aging can.
        var fixture = new SchedulerFixture(new SchedulerOptions { AgingStep = TimeSpan.FromSeconds(60) });
        fixture.Tenant("enterprise", weight: 5, ceiling: PriorityTier.High);
        fixture.Tenant("free", weight: 1, ceiling: PriorityTier.Low);
        string? low = null;
        double enqueuedAt = 0;
        void Load(double now)
        {
            for (var i = fixture.State.Tenants["enterprise"].QueuedCount(); i < 10; i++)
            {
                fixture.Enqueue("enterprise", cost: 1);
            }

            if (low is null && now >= 10)
            {
                low = fixture.Enqueue("free", cost: 1);
                enqueuedAt = now;
            }
        }

        var simulation = new GpuSimulation(fixture, workers: 1, slotsPerWorker: 1) { BeforeStep = Load };
        simulation.RunUntil(400);

        Assert.NotNull(low);
        var wait = simulation.DispatchedAt[low] - enqueuedAt;
        // Bound: 2 aging steps (Low → High) plus one running item (1 s) and one step of the simulation.
        Assert.InRange(wait, 120, 121.2);
    }

    [Fact]
    public void EffectiveTier_OneStepPerAgingStep_CappedAtHigh()
    {
        var fixture = new SchedulerFixture(new SchedulerOptions { AgingStep = TimeSpan.FromSeconds(10) });
        fixture.Tenant("t", ceiling: PriorityTier.Low);
        var item = fixture.Item(fixture.Enqueue("t"));
        var start = fixture.Clock.GetUtcNow();

        Assert.Equal(PriorityTier.Low, fixture.Scheduler.EffectiveTier(item, start.AddSeconds(9.9)));
        Assert.Equal(PriorityTier.Standard, fixture.Scheduler.EffectiveTier(item, start.AddSeconds(10)));
        Assert.Equal(PriorityTier.High, fixture.Scheduler.EffectiveTier(item, start.AddSeconds(20)));
        Assert.Equal(PriorityTier.High, fixture.Scheduler.EffectiveTier(item, start.AddHours(5)));
    }
}
