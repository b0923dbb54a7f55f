using ViraLoop.Grains.Scheduling;
using Xunit;

namespace ViraLoop.Grains.Tests.Scheduling;

public sealed class FairSchedulerSlotCapTests
{
    [Fact]
    public void Pull_HeavyTenantItemsNeverFinish_HeavyHoldsAtMostItsShareAndOtherKeepsBeingServed()
    {
        // Equal weights; a's items hang (renewed but never finished), b's finish at once. Without a cap a would end
        // up holding all 8 slots, because every other dispatch goes to it and none comes back.
        var fixture = new SchedulerFixture();
        fixture.Tenant("a");
        fixture.Tenant("b");
        for (var i = 0; i < 40; i++)
        {
            fixture.Enqueue("a");
        }

        var servedB = 0;
        for (var round = 0; round < 30; round++)
        {
            for (var i = fixture.State.Tenants["b"].QueuedCount(); i < 10; i++)
            {
                fixture.Enqueue("b");
            }

            var held = fixture.State.Tenants["a"].LeasedSlots;
            foreach (var work in fixture.Pull("gpu", free: 8 - held, capacity: 8))
            {
                if (work.TenantId == "b")
                {
                    fixture.Scheduler.Complete(work.Lease);
                    servedB++;
                }
            }

            Assert.InRange(fixture.State.Tenants["a"].LeasedSlots, 0, 4);
        }

        Assert.Equal(4, fixture.Scheduler.SlotCap("a"));
        Assert.Equal(4, fixture.State.Tenants["a"].LeasedSlots);
        Assert.Equal(4 * 30, servedB); // b gets every slot a may not take
    }

    [Fact]
    public void Pull_TenantAlone_BorrowsEverySlot()
    {
        var fixture = new SchedulerFixture();
        fixture.Tenant("a");
        fixture.Tenant("b");
        for (var i = 0; i < 20; i++)
        {
            fixture.Enqueue("a");
        }

        Assert.Equal(8, fixture.Pull("gpu", free: 8, capacity: 8).Count);
    }

    [Fact]
    public void Pull_OtherTenantArrivesWhileHeavyBorrowsAll_FreedSlotsGoToNewcomerUntilHeavyIsUnderCap()
    {
        var fixture = new SchedulerFixture();
        fixture.Tenant("heavy", weight: 3);
        fixture.Tenant("light", weight: 1);
        for (var i = 0; i < 20; i++)
        {
            fixture.Enqueue("heavy");
        }

        var heavyLeases = fixture.Pull("gpu", free: 8, capacity: 8);
        for (var i = 0; i < 10; i++)
        {
            fixture.Enqueue("light");
        }

        // Caps with 8 slots and weights 3:1: heavy ceil(6) = 6, light ceil(2) = 2.
        Assert.Equal(6, fixture.Scheduler.SlotCap("heavy"));
        Assert.Equal(2, fixture.Scheduler.SlotCap("light"));
        var taken = new List<string>();
        foreach (var lease in heavyLeases.Take(4))
        {
            fixture.Scheduler.Complete(lease.Lease);
            taken.AddRange(fixture.Pull("gpu", free: 1, capacity: 8).Select(w => w.TenantId));
        }

        // Slots 1–2 go to light (heavy holds 7 then 6 ≥ its cap); then light is at its cap of 2 and heavy is under its own.
        Assert.Equal(["light", "light", "heavy", "heavy"], taken);
    }

    [Theory]
    [InlineData(8, new[] { 1.0, 2.0, 5.0 }, new[] { 1, 2, 5 })]
    [InlineData(4, new[] { 100.0, 1.0 }, new[] { 3, 1 })]
    [InlineData(2, new[] { 1.0, 1.0, 1.0 }, new[] { 1, 1, 1 })]
    public void SlotCap_ActiveTenants_WeightShareRoundedUpLeavingOneSlotPerOtherTenant(int slots, double[] weights, int[] caps)
    {
        var fixture = new SchedulerFixture();
        for (var t = 0; t < weights.Length; t++)
        {
            fixture.Tenant($"t{t}", weights[t]);
            fixture.Enqueue($"t{t}");
        }

        fixture.Pull("gpu", free: 0, capacity: slots);

        Assert.Equal(caps, weights.Select((_, t) => fixture.Scheduler.SlotCap($"t{t}")).ToArray());
    }
}
