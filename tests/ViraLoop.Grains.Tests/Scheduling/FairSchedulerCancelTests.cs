using ViraLoop.Grains.Scheduling;
using Xunit;

namespace ViraLoop.Grains.Tests.Scheduling;

public sealed class FairSchedulerCancelTests
{
    [Fact]
    public void CancelJob_QueuedAndLeasedItems_QueuedRemovedLeasedResultDiscarded()
    {
        var fixture = new SchedulerFixture();
        fixture.Tenant("t");
        var leasedId = fixture.Enqueue("t", job: "doomed");
        var queuedId = fixture.Enqueue("t", job: "doomed");
        var otherId = fixture.Enqueue("t", job: "kept");
        var work = Assert.Single(fixture.Pull(free: 1));
        Assert.Equal(leasedId, work.Lease.ItemId);

        var result = fixture.Scheduler.CancelJob("doomed");

        Assert.Equal(new CancelResult(Dequeued: 1, LeasedMarked: 1), result);
        Assert.Equal(WorkItemStatus.Cancelled, fixture.Item(queuedId).Status);
        Assert.Equal(WorkItemStatus.Cancelled, fixture.Item(leasedId).Status);
        Assert.Equal(1, fixture.State.Tenants["t"].LeasedSlots); // the GPU is still busy with it
        Assert.Equal(otherId, Assert.Single(fixture.Pull("w2", free: 5)).Lease.ItemId);

        var completion = fixture.Scheduler.Complete(work.Lease);

        Assert.Equal(LeaseOutcome.Cancelled, completion.Outcome);
        Assert.Equal(WorkItemStatus.Cancelled, fixture.Item(leasedId).Status);
        Assert.Equal(1, fixture.State.Tenants["t"].LeasedSlots);
        Assert.Equal(2, fixture.Scheduler.TakeEvents().Count(e => e.Kind == SchedulerEventKind.Cancelled));
    }

    [Fact]
    public void Renew_AfterCancel_TellsWorkerToStopAndReleasesSlot()
    {
        var fixture = new SchedulerFixture();
        fixture.Tenant("t");
        fixture.Enqueue("t", job: "j");
        var work = Assert.Single(fixture.Pull(free: 1));
        fixture.Scheduler.CancelJob("j");

        Assert.Equal(LeaseOutcome.Cancelled, fixture.Scheduler.Renew(work.Lease).Outcome);
        Assert.Equal(0, fixture.State.Tenants["t"].LeasedSlots);
        Assert.Empty(fixture.State.LeasedItemIds);
    }

    [Fact]
    public void CancelJob_LeasedItemWorkerDies_LeaseExpiresWithoutRequeue()
    {
        var fixture = new SchedulerFixture();
        fixture.Tenant("t");
        var id = fixture.Enqueue("t", job: "j");
        Assert.Single(fixture.Pull(free: 1));
        fixture.Scheduler.CancelJob("j");

        fixture.Advance(31);
        fixture.Scheduler.ExpireLeases();

        Assert.Equal(WorkItemStatus.Cancelled, fixture.Item(id).Status);
        Assert.Null(fixture.Item(id).Lease);
        Assert.Empty(fixture.Pull(free: 1));
    }

    [Fact]
    public void PruneFinished_OldFinishedItems_Removed()
    {
        var fixture = new SchedulerFixture();
        fixture.Tenant("t");
        fixture.Enqueue("t", job: "j");
        var queued = fixture.Enqueue("t", job: "k");
        fixture.Scheduler.CancelJob("j");
        fixture.Advance(600);

        Assert.Equal(1, fixture.Scheduler.PruneFinished(TimeSpan.FromMinutes(5)));
        Assert.Equal(queued, Assert.Single(fixture.State.Items.Keys));
    }
}
