namespace ViraLoop.Grains.Scheduling;

/// <summary>The current lease on an item (state).</summary>
public sealed record WorkLease(string WorkerId, long Token, DateTimeOffset GrantedAt, DateTimeOffset Deadline);
