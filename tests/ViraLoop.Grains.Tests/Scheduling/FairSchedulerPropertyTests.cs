using ViraLoop.Grains.Scheduling;
using Xunit;

namespace ViraLoop.Grains.Tests.Scheduling;

public sealed class FairSchedulerPropertyTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void RandomOperations_Seeded_InvariantsHoldAndEveryItemEnds(int seed)
    {
        var random = new Random(seed);
        var fixture = new SchedulerFixture(new SchedulerOptions
        {
            LeaseDuration = TimeSpan.FromSeconds(20),
            MaxAttempts = 3,
            AgingStep = TimeSpan.FromSeconds(45),
            MaxBatchSize = 3,
            WorkerTimeout = TimeSpan.FromSeconds(40),
        });
        var scheduler = fixture.Scheduler;
        string[] tenants = ["a", "b", "c", "d"];
        string[] keys = ["procedural", "sdxl-512", "sdxl-1024"];
        foreach (var tenant in tenants)
        {
            fixture.Tenant(tenant, weight: 1 + random.Next(5), ceiling: (PriorityTier)random.Next(3));
        }

        var accepted = new HashSet<string>();
        var issued = new List<LeasedWork>();      // every lease ever handed out, current or not
        var held = new List<LeasedWork>();        // leases workers believe they hold
        var completedOnce = new HashSet<string>();
        var nextId = 0;

        for (var step = 0; step < 4000; step++)
        {
            switch (random.Next(100))
            {
                case < 30:
                    {
                        var tenant = tenants[random.Next(tenants.Length)];
                        var id = $"i{nextId++}";
                        PriorityTier? tier = random.Next(4) == 0 ? null : (PriorityTier)random.Next(3);
                        var request = new WorkRequest(id, $"job{random.Next(40)}", tenant, 0.1 + (random.NextDouble() * 5), keys[random.Next(keys.Length)], tier);
                        var result = scheduler.Enqueue(request);
                        var ceiling = fixture.State.Tenants[tenant].PriorityCeiling;
                        Assert.Equal(tier is { } t && t > ceiling ? EnqueueOutcome.Rejected : EnqueueOutcome.Accepted, result.Outcome);
                        if (result.IsAccepted)
                        {
                            accepted.Add(id);
                        }

                        break;
                    }

                case < 50:
                    {
                        var worker = $"w{random.Next(4)}";
                        var work = scheduler.Pull(new PullRequest(worker, 4, random.Next(5), random.Next(2) == 0 ? null : 1 + random.Next(3)))
                            .SelectMany(b => b.Items).ToList();
                        issued.AddRange(work);
                        held.AddRange(work);
                        break;
                    }

                case < 70 when held.Count > 0:
                    {
                        var lease = held[random.Next(held.Count)];
                        var wasCurrent = IsCurrent(fixture, lease);
                        var status = fixture.Item(lease.Lease.ItemId).Status;
                        var result = scheduler.Complete(lease.Lease);
                        held.Remove(lease);
                        Assert.Equal(wasCurrent && status == WorkItemStatus.Leased, result.IsAccepted);
                        if (result.IsAccepted)
                        {
                            Assert.True(completedOnce.Add(lease.Lease.ItemId), "an item was completed twice");
                        }

                        break;
                    }

                case < 75 when issued.Count > 0:
                    {
                        // A zombie: any lease ever issued reports again; only a current one may be accepted.
                        var lease = issued[random.Next(issued.Count)];
                        var wasCurrent = IsCurrent(fixture, lease);
                        var result = random.Next(2) == 0 ? scheduler.Complete(lease.Lease) : scheduler.Renew(lease.Lease);
                        if (!wasCurrent)
                        {
                            Assert.NotEqual(LeaseOutcome.Accepted, result.Outcome);
                        }
                        else if (result.IsAccepted && fixture.Item(lease.Lease.ItemId).Status == WorkItemStatus.Completed)
                        {
                            Assert.True(completedOnce.Add(lease.Lease.ItemId), "an item was completed twice");
                        }

                        break;
                    }

                case < 82 when held.Count > 0:
                    {
                        var lease = held[random.Next(held.Count)];
                        var result = scheduler.Renew(lease.Lease);
                        if (!result.IsAccepted)
                        {
                            held.Remove(lease);
                        }

                        break;
                    }

                case < 86 when held.Count > 0:
                    {
                        var lease = held[random.Next(held.Count)];
                        scheduler.Fail(lease.Lease, "simulated failure", retryable: random.Next(3) != 0);
                        held.Remove(lease);
                        break;
                    }

                case < 88:
                    scheduler.CancelJob($"job{random.Next(40)}");
                    break;

                case < 89:
                    {
                        var tenant = tenants[random.Next(tenants.Length)];
                        fixture.Tenant(tenant, weight: 1 + random.Next(5), ceiling: (PriorityTier)random.Next(3));
                        break;
                    }

                default:
                    fixture.Advance(random.NextDouble() * 8);
                    break;
            }

            AssertInvariants(fixture, accepted);
        }

        // Drain: no new work; a healthy worker completes everything it is given.
        for (var round = 0; round < 10_000 && fixture.State.Items.Values.Any(i => i.Status is WorkItemStatus.Queued or WorkItemStatus.Leased); round++)
        {
            fixture.Advance(5);
            foreach (var work in scheduler.Pull(new PullRequest("drain", 8, 8)).SelectMany(b => b.Items))
            {
                Assert.True(scheduler.Complete(work.Lease).IsAccepted);
                Assert.True(completedOnce.Add(work.Lease.ItemId), "an item was completed twice");
            }

            AssertInvariants(fixture, accepted);
        }

        Assert.All(fixture.State.Items.Values, i =>
            Assert.Contains(i.Status, new[] { WorkItemStatus.Completed, WorkItemStatus.Failed, WorkItemStatus.Cancelled }));
        Assert.Equal(completedOnce.Count, fixture.State.Items.Values.Count(i => i.Status == WorkItemStatus.Completed));
        Assert.All(fixture.State.Items.Values.Where(i => i.Status == WorkItemStatus.Failed), i => Assert.False(string.IsNullOrEmpty(i.FailureReason)));
    }

    private static bool IsCurrent(SchedulerFixture fixture, LeasedWork work)
    {
        var item = fixture.Item(work.Lease.ItemId);
        return item.Lease is { } lease && lease.Token == work.Lease.Token && lease.Deadline > fixture.Clock.GetUtcNow();
    }

    private static void AssertInvariants(SchedulerFixture fixture, HashSet<string> accepted)
    {
        var state = fixture.State;

        // No item lost, none invented.
        Assert.Equal(accepted.Count, state.Items.Count);
        Assert.True(accepted.SetEquals(state.Items.Keys));

        var queued = new Dictionary<string, int>();
        foreach (var tenant in state.Tenants.Values)
        {
            foreach (var (tier, queue) in tenant.Queues)
            {
                for (var i = 0; i < queue.Count; i++)
                {
                    var item = state.Items[queue[i]];
                    Assert.Equal(tenant.TenantId, item.TenantId);
                    Assert.Equal(tier, item.Tier);
                    Assert.True(tier <= tenant.PriorityCeiling, "a queued item sits above its tenant's ceiling");
                    Assert.True(i == 0 || state.Items[queue[i - 1]].Sequence < item.Sequence, "a tenant queue is out of arrival order");
                    queued[item.Id] = queued.GetValueOrDefault(item.Id) + 1;
                }
            }

            Assert.Equal(state.Items.Values.Count(i => i.TenantId == tenant.TenantId && i.Lease is not null), tenant.LeasedSlots);
        }

        foreach (var item in state.Items.Values)
        {
            var inQueue = queued.GetValueOrDefault(item.Id);
            switch (item.Status)
            {
                case WorkItemStatus.Queued:
                    Assert.Equal(1, inQueue);
                    Assert.Null(item.Lease);
                    break;
                case WorkItemStatus.Leased:
                    Assert.Equal(0, inQueue);
                    Assert.NotNull(item.Lease);
                    Assert.InRange(item.Attempts, 1, fixture.Scheduler.Options.MaxAttempts);
                    break;
                case WorkItemStatus.Cancelled:
                    Assert.Equal(0, inQueue);
                    break;
                default:
                    Assert.Equal(0, inQueue);
                    Assert.Null(item.Lease);
                    break;
            }

            Assert.Equal(item.Lease is not null, state.LeasedItemIds.Contains(item.Id));
        }

        // Tokens are unique among live leases.
        var tokens = state.Items.Values.Where(i => i.Lease is not null).Select(i => i.Lease!.Token).ToList();
        Assert.Equal(tokens.Count, tokens.Distinct().Count());
    }
}
