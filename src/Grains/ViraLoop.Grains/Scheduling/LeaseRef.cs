namespace ViraLoop.Grains.Scheduling;

/// <summary>What a worker presents to renew, complete or fail a leased item. <paramref name="Token"/> is the fencing
/// token: unique per grant, so a worker whose lease expired or was reassigned is refused.</summary>
public sealed record LeaseRef(string ItemId, string WorkerId, long Token);
