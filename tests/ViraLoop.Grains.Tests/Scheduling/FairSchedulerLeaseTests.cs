using ViraLoop.Grains.Scheduling;
using Xunit;

namespace ViraLoop.Grains.Tests.Scheduling;

public sealed class FairSchedulerLeaseTests
{
    private static SchedulerFixture CreateSut(int maxAttempts = 3) =>
        new(new SchedulerOptions { LeaseDuration = TimeSpan.FromSeconds(30), MaxAttempts = maxAttempts });

    [Fact]
    public void Complete_AfterLeaseExpiredAndReassigned_RefusedAndNewHolderWins()
    {
        var fixture = CreateSut();
        fixture.Tenant("t");
        var id = fixture.Enqueue("t");
        fixture.Enqueue("t");
        var old = Assert.Single(fixture.Pull("hung", free: 1));

        fixture.Advance(31);
        var again = Assert.Single(fixture.Pull("healthy", free: 1));

        Assert.Equal(id, again.Lease.ItemId); // back at the front of its tenant's queue
        Assert.Equal(2, again.Attempt);
        Assert.True(again.Lease.Token > old.Lease.Token);
        var late = fixture.Scheduler.Complete(old.Lease);
        Assert.Equal(LeaseOutcome.Stale, late.Outcome);
        Assert.Equal(LeaseOutcome.Stale, fixture.Scheduler.Renew(old.Lease).Outcome);
        Assert.True(fixture.Scheduler.Complete(again.Lease).IsAccepted);
        Assert.Equal(WorkItemStatus.Completed, fixture.Item(id).Status);
        Assert.Equal(LeaseOutcome.Stale, fixture.Scheduler.Complete(old.Lease).Outcome);
    }

    [Fact]
    public void Complete_AtDeadlineBeforeAnyTimerRan_RefusedAndItemRequeued()
    {
        var fixture = CreateSut();
        fixture.Tenant("t");
        var id = fixture.Enqueue("t");
        var work = Assert.Single(fixture.Pull(free: 1));

        fixture.Advance(30);

        Assert.Equal(LeaseOutcome.Stale, fixture.Scheduler.Complete(work.Lease).Outcome);
        Assert.Equal(WorkItemStatus.Queued, fixture.Item(id).Status);
        var requeued = Assert.Single(fixture.Scheduler.TakeEvents(), e => e.Kind == SchedulerEventKind.Requeued);
        Assert.Contains("expired", requeued.Reason);
        Assert.Equal(1, requeued.Attempts);
    }

    [Fact]
    public void Renew_BeforeDeadline_ExtendsLease()
    {
        var fixture = CreateSut();
        fixture.Tenant("t");
        fixture.Enqueue("t");
        var work = Assert.Single(fixture.Pull(free: 1));

        for (var i = 0; i < 10; i++)
        {
            fixture.Advance(20);
            Assert.True(fixture.Scheduler.Renew(work.Lease).IsAccepted);
        }

        fixture.Advance(20);
        Assert.True(fixture.Scheduler.Complete(work.Lease).IsAccepted);
    }

    [Fact]
    public void Complete_WithAnotherWorkersIdOrToken_Refused()
    {
        var fixture = CreateSut();
        fixture.Tenant("t");
        fixture.Enqueue("t");
        var work = Assert.Single(fixture.Pull(free: 1));

        Assert.Equal(LeaseOutcome.Stale, fixture.Scheduler.Complete(work.Lease with { WorkerId = "impostor" }).Outcome);
        Assert.Equal(LeaseOutcome.Stale, fixture.Scheduler.Complete(work.Lease with { Token = work.Lease.Token + 1 }).Outcome);
        Assert.Equal(LeaseOutcome.UnknownItem, fixture.Scheduler.Complete(work.Lease with { ItemId = "nope" }).Outcome);
        Assert.True(fixture.Scheduler.Complete(work.Lease).IsAccepted);
    }

    [Fact]
    public void ExpireLeases_MaxAttemptsExpired_ItemFailsWithReason()
    {
        var fixture = CreateSut(maxAttempts: 3);
        fixture.Tenant("t");
        var id = fixture.Enqueue("t");

        for (var attempt = 1; attempt <= 3; attempt++)
        {
            var work = Assert.Single(fixture.Pull($"w{attempt}", free: 1));
            Assert.Equal(attempt, work.Attempt);
            fixture.Advance(31);
            Assert.Equal(1, fixture.Scheduler.ExpireLeases());
        }

        var item = fixture.Item(id);
        Assert.Equal(WorkItemStatus.Failed, item.Status);
        Assert.Contains("3 attempts", item.FailureReason);
        Assert.Contains("w3", item.FailureReason);
        Assert.Empty(fixture.Pull(free: 1));
        var events = fixture.Scheduler.TakeEvents();
        Assert.Equal(2, events.Count(e => e.Kind == SchedulerEventKind.Requeued));
        Assert.Equal(id, Assert.Single(events, e => e.Kind == SchedulerEventKind.Failed).ItemId);
        Assert.Equal(0, fixture.State.Tenants["t"].LeasedSlots);
    }

    [Fact]
    public void Fail_RetryableThenNotRetryable_RequeuedThenFailed()
    {
        var fixture = CreateSut();
        fixture.Tenant("t");
        var id = fixture.Enqueue("t");

        var first = Assert.Single(fixture.Pull(free: 1));
        var retried = fixture.Scheduler.Fail(first.Lease, "vendor answered 503");
        Assert.Equal(WorkItemStatus.Queued, retried.Status);

        var second = Assert.Single(fixture.Pull(free: 1));
        var failed = fixture.Scheduler.Fail(second.Lease, "prompt refused by the vendor", retryable: false);

        Assert.Equal(WorkItemStatus.Failed, failed.Status);
        Assert.Equal("prompt refused by the vendor", fixture.Item(id).FailureReason);
    }

    [Fact]
    public void Pull_ExpiredLeaseRequeued_KeepsArrivalPlaceAheadOfLaterItems()
    {
        var fixture = CreateSut();
        fixture.Tenant("t");
        var first = fixture.Enqueue("t");
        var second = fixture.Enqueue("t");
        var third = fixture.Enqueue("t");
        var leased = fixture.Pull(free: 2);
        fixture.Scheduler.Complete(leased[1].Lease);

        fixture.Advance(31);

        Assert.Equal([first, third], fixture.Pull(free: 2).Select(w => w.Lease.ItemId).ToArray());
        Assert.Equal(second, leased[1].Lease.ItemId);
    }
}
