using ViraLoop.Grains.Scheduling;
using Xunit;

namespace ViraLoop.Grains.Tests.Scheduling;

public sealed class FairSchedulerBatchingTests
{
    [Fact]
    public void Pull_MixedBatchKeys_BatchesHoldOneKeyAndAtMostMaxBatchSize()
    {
        var fixture = new SchedulerFixture(new SchedulerOptions { MaxBatchSize = 3 });
        fixture.Tenant("a");
        fixture.Tenant("b");
        for (var i = 0; i < 8; i++)
        {
            fixture.Enqueue(i % 2 == 0 ? "a" : "b", batchKey: i % 3 == 0 ? "sdxl-1024" : "sdxl-512");
        }

        var batches = fixture.Scheduler.Pull(new PullRequest("gpu", Capacity: 8, FreeSlots: 8));

        Assert.Equal(8, batches.Sum(b => b.Items.Count));
        Assert.All(batches, b =>
        {
            Assert.InRange(b.Items.Count, 1, 3);
            Assert.All(b.Items, w => Assert.Equal(b.BatchKey, w.BatchKey));
            Assert.All(b.Items, w => Assert.Equal(b.BatchKey, fixture.Item(w.Lease.ItemId).BatchKey));
        });
        // 3 items keyed 1024 fill one batch; 5 keyed 512 make a batch of 3 and one of 2.
        Assert.Equal(["sdxl-1024", "sdxl-512", "sdxl-512"], batches.Select(b => b.BatchKey).Order().ToArray());
    }

    [Fact]
    public void Pull_WorkerAcceptsSmallerBatches_WorkerLimitApplies()
    {
        var fixture = new SchedulerFixture(new SchedulerOptions { MaxBatchSize = 8 });
        fixture.Tenant("a");
        for (var i = 0; i < 6; i++)
        {
            fixture.Enqueue("a", batchKey: "k");
        }

        var batches = fixture.Scheduler.Pull(new PullRequest("gpu", 6, 6, MaxBatchSize: 2));

        Assert.Equal([2, 2, 2], batches.Select(b => b.Items.Count).ToArray());
    }

    [Fact]
    public void Pull_BatchOfHighTierHead_DoesNotPullInLowerTierItemsAheadOfOtherHighWork()
    {
        var fixture = new SchedulerFixture();
        fixture.Tenant("a");
        var high = fixture.Enqueue("a", batchKey: "k1", tier: PriorityTier.High);
        var lowSameKey = fixture.Enqueue("a", batchKey: "k1", tier: PriorityTier.Low);
        var highOtherKey = fixture.Enqueue("a", batchKey: "k2", tier: PriorityTier.High);

        var batches = fixture.Scheduler.Pull(new PullRequest("gpu", 2, 2));

        Assert.Equal([[high], [highOtherKey]], batches.Select(b => b.Items.Select(w => w.Lease.ItemId).ToArray()).ToArray());
        Assert.Equal(WorkItemStatus.Queued, fixture.Item(lowSameKey).Status);
    }

    [Fact]
    public void Pull_FreeSlotsFewerThanBatchSize_BatchStopsAtFreeSlots()
    {
        var fixture = new SchedulerFixture();
        fixture.Tenant("a");
        for (var i = 0; i < 5; i++)
        {
            fixture.Enqueue("a", batchKey: "k");
        }

        var batch = Assert.Single(fixture.Scheduler.Pull(new PullRequest("gpu", 4, 3)));

        Assert.Equal(3, batch.Items.Count);
        Assert.All(batch.Items, w => Assert.Equal(1, w.Attempt));
    }
}
