using ViraLoop.Grains.Scheduling;
using Xunit;
using Xunit.Abstractions;

namespace ViraLoop.Grains.Tests.Scheduling;

public sealed class FairSchedulerSharesTests(ITestOutputHelper output)
{
    /// <summary>With one slot every tenant is under its cap, so only weighted fair queuing sets the shares; with
    /// 2 × 4 slots the caps (1, 2, 5) and fair queuing act together.</summary>
    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 4)]
    public void Pull_ThreeBackloggedTenantsWeighted125_GpuSecondSharesWithinFivePercentOfWeights(int workers, int slotsPerWorker)
    {
        var fixture = new SchedulerFixture();
        var weights = new Dictionary<string, double> { ["a"] = 1, ["b"] = 2, ["c"] = 5 };
        foreach (var (tenant, weight) in weights)
        {
            fixture.Tenant(tenant, weight);
        }

        var random = new Random(15);
        void TopUp(double now)
        {
            foreach (var tenant in weights.Keys)
            {
                var queued = fixture.State.Tenants[tenant].QueuedCount();
                for (var i = queued; i < 30; i++)
                {
                    fixture.Enqueue(tenant, cost: 0.5 + (random.NextDouble() * 3.5));
                }
            }
        }

        // Items of 0.5–4 GPU seconds, one simulated hour, the first 5 minutes left out.
        var simulation = new GpuSimulation(fixture, workers, slotsPerWorker) { BeforeStep = TopUp };
        simulation.RunUntil(3600);

        var shares = simulation.Shares(from: 300, to: 3600);
        foreach (var (tenant, weight) in weights)
        {
            var expected = weight / 8;
            output.WriteLine($"{tenant}: weight share {expected:P2}, measured {shares[tenant]:P2} ({(shares[tenant] / expected) - 1:+0.00%;-0.00%;0.00%})");
            Assert.InRange(shares[tenant], expected * 0.95, expected * 1.05);
        }
    }

    [Fact]
    public void Pull_LightTenantArrivesWhileHeavyTenantBacklogged_ServedAtTheNextFreeSlot()
    {
        var fixture = new SchedulerFixture();
        fixture.Tenant("heavy", weight: 5);
        fixture.Tenant("light", weight: 1);
        var lightItems = new List<(string Id, double EnqueuedAt)>();
        void Load(double now)
        {
            for (var i = fixture.State.Tenants["heavy"].QueuedCount(); i < 200; i++)
            {
                fixture.Enqueue("heavy", cost: 4);
            }

            // From t = 600 s the light tenant sends one 1-second item every 30 s.
            if (now >= 600 && Math.Abs(now % 30) < 0.05)
            {
                lightItems.Add((fixture.Enqueue("light", cost: 1), now));
            }
        }

        var simulation = new GpuSimulation(fixture, workers: 1, slotsPerWorker: 4) { BeforeStep = Load };
        simulation.RunUntil(1200);

        Assert.True(lightItems.Count >= 15);
        // Heavy items run 4 s; with 4 slots one frees at least every 4 s, and the light tenant is first in line then.
        var worstWait = lightItems.Where(l => simulation.DispatchedAt.ContainsKey(l.Id))
            .Max(l => simulation.DispatchedAt[l.Id] - l.EnqueuedAt);
        Assert.InRange(worstWait, 0, 4.2);
        Assert.All(lightItems.Where(l => l.EnqueuedAt < 1190), l => Assert.True(simulation.DispatchedAt.ContainsKey(l.Id)));
    }

    [Fact]
    public void Pull_IdleTenantReturns_EarnsNoCreditForItsIdleTime()
    {
        var fixture = new SchedulerFixture();
        fixture.Tenant("a");
        fixture.Tenant("b");
        for (var i = 0; i < 50; i++)
        {
            fixture.Enqueue("a");
        }

        foreach (var work in fixture.Pull(free: 1).Concat(Enumerable.Range(0, 19).SelectMany(_ => fixture.Pull(free: 1))))
        {
            fixture.Scheduler.Complete(work.Lease);
        }

        // b was idle while a used 20 items; now both are backlogged: they alternate instead of b taking 20 in a row.
        for (var i = 0; i < 20; i++)
        {
            fixture.Enqueue("b");
        }

        var next = Enumerable.Range(0, 10).Select(_ =>
        {
            var work = Assert.Single(fixture.Pull(free: 1));
            fixture.Scheduler.Complete(work.Lease);
            return work.TenantId;
        }).ToList();
        Assert.Equal(5, next.Count(t => t == "a"));
        Assert.Equal(5, next.Count(t => t == "b"));
    }
}
