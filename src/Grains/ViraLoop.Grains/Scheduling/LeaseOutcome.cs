namespace ViraLoop.Grains.Scheduling;

public enum LeaseOutcome
{
    /// <summary>The lease was current; the renewal, completion or failure report took effect.</summary>
    Accepted,
    /// <summary>The lease expired or the item was leased again since: refused, the caller must discard its result.</summary>
    Stale,
    /// <summary>The item's job was cancelled: the lease is released and the result discarded.</summary>
    Cancelled,
    UnknownItem,
}
