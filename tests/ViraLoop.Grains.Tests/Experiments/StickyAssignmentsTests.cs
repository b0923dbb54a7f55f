using ViraLoop.Grains.Experiments;
using ViraLoop.Grains.Messages;
using Xunit;

namespace ViraLoop.Grains.Tests.Experiments;

public sealed class StickyAssignmentsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Day = TimeSpan.FromHours(24);

    private static ArmAssignment At(string arm, DateTimeOffset at) => new("exp", arm, "hook=question", false, 0, at);

    [Fact]
    public void A_key_gets_its_arm_again_within_the_window_and_not_after()
    {
        var map = new Dictionary<string, ArmAssignment>();
        StickyAssignments.Remember(map, "idempotency:k1", At("a1", T0), T0, Day);
        Assert.Equal("a1", StickyAssignments.Find(map, "idempotency:k1", T0 + TimeSpan.FromHours(23), Day)?.ArmId);
        Assert.Null(StickyAssignments.Find(map, "idempotency:k1", T0 + Day + TimeSpan.FromSeconds(1), Day));
        Assert.Null(StickyAssignments.Find(map, "idempotency:k2", T0, Day));
    }

    [Fact]
    public void Expired_keys_are_dropped_as_new_ones_come()
    {
        var map = new Dictionary<string, ArmAssignment>();
        for (var i = 0; i < 200; i++) StickyAssignments.Remember(map, $"old{i}", At("a1", T0), T0, Day);
        var later = T0 + Day + TimeSpan.FromMinutes(1);
        var dropped = 0;
        for (var i = 0; i < 56; i++) dropped += StickyAssignments.Remember(map, $"new{i}", At("a2", later), later, Day);
        Assert.Equal(200, dropped);
        Assert.Equal(56, map.Count);
        Assert.All(map.Values, a => Assert.Equal("a2", a.ArmId));
    }

    [Fact]
    public void Over_the_bound_the_oldest_go_first_and_the_newest_stay()
    {
        var map = new Dictionary<string, ArmAssignment>();
        for (var i = 0; i < 1_001; i++)
        {
            var at = T0 + TimeSpan.FromSeconds(i);
            StickyAssignments.Remember(map, $"k{i}", At($"a{i % 3}", at), at, Day, maxKeys: 1_000);
        }
        // Down to 90 % of the bound, keeping the 900 most recent.
        Assert.Equal(900, map.Count);
        Assert.Equal(Enumerable.Range(101, 900).Select(i => $"k{i}").Order(), map.Keys.Order());
        Assert.Equal("a1", StickyAssignments.Find(map, "k1000", T0 + TimeSpan.FromSeconds(1_000), Day)?.ArmId);
    }
}
