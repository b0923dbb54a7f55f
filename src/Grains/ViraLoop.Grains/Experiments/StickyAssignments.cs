using ViraLoop.Grains.Messages;

namespace ViraLoop.Grains.Experiments;

/// <summary>
/// The arms an experiment gave to replayable keys (a request's Idempotency-Key), so a retried request gets the same arm
/// and so the same order. A key is remembered as long as the tenant remembers the request it belongs to
/// (<see cref="Tenant.TenantGrain.IdempotencyWindow"/>), and never more than <see cref="MaxKeys"/> keys: past that the
/// oldest go first. Keys that cannot come back (a new video's own id) are not remembered at all.
/// </summary>
public static class StickyAssignments
{
    public const int MaxKeys = 50_000;

    /// <summary>The arm given to <paramref name="key"/> within the window, else null.</summary>
    public static ArmAssignment? Find(IReadOnlyDictionary<string, ArmAssignment> map, string key, DateTimeOffset now, TimeSpan window) =>
        map.TryGetValue(key, out var known) && now - known.At <= window ? known : null;

    /// <summary>Remembers an assignment, dropping keys past the window and, over <paramref name="maxKeys"/>, the oldest. Returns how many were dropped.</summary>
    public static int Remember(Dictionary<string, ArmAssignment> map, string key, ArmAssignment assignment, DateTimeOffset now, TimeSpan window, int maxKeys = MaxKeys)
    {
        map[key] = assignment;
        var dropped = 0;
        // Expiry looks at every key, so it runs once in 256 new keys, or when the map is over its bound.
        if (map.Count > maxKeys || map.Count % 256 == 0)
        {
            foreach (var stale in map.Where(e => now - e.Value.At > window).Select(e => e.Key).ToList())
            {
                map.Remove(stale);
                dropped++;
            }
        }
        if (map.Count > maxKeys)
        {
            // A tenth below the bound, so the sort runs once in maxKeys / 10 assignments.
            var excess = map.Count - maxKeys * 9 / 10;
            foreach (var old in map.OrderBy(e => e.Value.At).ThenBy(e => e.Key, StringComparer.Ordinal).Take(excess).Select(e => e.Key).ToList())
            {
                map.Remove(old);
                dropped++;
            }
        }
        return dropped;
    }
}
