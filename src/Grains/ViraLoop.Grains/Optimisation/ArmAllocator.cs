using System.Text;

namespace ViraLoop.Grains.Optimisation;

/// <summary>Options for <see cref="ArmAllocator"/>.</summary>
public sealed record AllocationOptions
{
    /// <summary>The share of assignment keys held out for the fixed control arm, whatever the arms' posteriors.</summary>
    public double ControlShare { get; init; } = 0.1;

    /// <summary>Mixed into every key's hash, so that two experiments split the same keys independently.</summary>
    public string Salt { get; init; } = "";
}

/// <summary>Where a key was sent: the arm's index, and whether it fell in the held-out control share.</summary>
public readonly record struct Allocation(int Arm, bool IsControl);

/// <summary>
/// Assigns a key (a viewer, or a video slot) to an arm. Sticky and hash-based: a key's 64-bit hash (FNV-1a over the salt
/// and the key, then a SplitMix64 finaliser; the same in every process) puts it in the control share when its first
/// uniform falls below <see cref="AllocationOptions.ControlShare"/>; otherwise the policy chooses, with a
/// <see cref="Random"/> seeded from the hash, and the choice is remembered, so the key gets the same arm every time
/// until that arm leaves (<see cref="Forget"/>). Not thread-safe (a grain is single-threaded).
/// </summary>
public sealed class ArmAllocator
{
    private readonly IBanditPolicy _policy;
    private readonly Dictionary<string, int> _assigned = new(StringComparer.Ordinal);

    public ArmAllocator(IBanditPolicy policy, AllocationOptions? options = null)
    {
        _policy = policy ?? throw new ArgumentNullException(nameof(policy));
        Options = options ?? new AllocationOptions();
        if (Options.ControlShare is < 0 or > 1 || double.IsNaN(Options.ControlShare))
        {
            throw new ArgumentOutOfRangeException(nameof(options), Options.ControlShare, "control share must be in [0, 1]");
        }
    }

    public AllocationOptions Options { get; }

    /// <summary>The keys given a (non-control) arm so far, and their arms: what a grain persists.</summary>
    public IReadOnlyDictionary<string, int> Assignments => _assigned;

    /// <summary>Restores a remembered assignment (e.g. from a grain's state).</summary>
    public void Remember(string key, int arm) => _assigned[key] = arm;

    /// <summary>
    /// The arm for <paramref name="key"/>. <paramref name="controlArm"/> is the index in <paramref name="arms"/> of the fixed
    /// control; the policy chooses among the others.
    /// </summary>
    public Allocation Assign(string key, IReadOnlyList<ArmEvidence> arms, int controlArm)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(arms);
        if ((uint)controlArm >= (uint)arms.Count || arms.Count < 2)
        {
            throw new ArgumentException("need the control and at least one other arm, with the control's index among them", nameof(controlArm));
        }

        var hash = StableHash(Options.Salt, key);
        if (IsControlKey(hash))
        {
            return new Allocation(controlArm, true);
        }

        if (_assigned.TryGetValue(key, out var arm) && arm < arms.Count && arm != controlArm)
        {
            return new Allocation(arm, false);
        }

        var others = new ArmEvidence[arms.Count - 1];
        for (int i = 0, j = 0; i < arms.Count; i++)
        {
            if (i != controlArm)
            {
                others[j++] = arms[i];
            }
        }

        var choice = _policy.Choose(others, new Random(unchecked((int)(hash >> 32) ^ (int)hash)));
        arm = choice >= controlArm ? choice + 1 : choice;
        _assigned[key] = arm;
        return new Allocation(arm, false);
    }

    /// <summary>Forgets the keys assigned to an arm (it was retired); they are assigned afresh next time.</summary>
    public void Forget(int arm)
    {
        foreach (var key in _assigned.Where(kv => kv.Value == arm).Select(kv => kv.Key).ToList())
        {
            _assigned.Remove(key);
        }
    }

    /// <summary>Whether a key falls in the control share (a pure function of salt, key and share).</summary>
    public bool IsControlKey(string key) => IsControlKey(StableHash(Options.Salt, key));

    private bool IsControlKey(ulong hash) => (hash >> 11) * (1.0 / (1UL << 53)) < Options.ControlShare;

    /// <summary>FNV-1a 64 over UTF-8 of salt, a separator and key, finalised by SplitMix64's mixer.</summary>
    public static ulong StableHash(string salt, string key)
    {
        var h = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(salt + "\u001f" + key))
        {
            h ^= b;
            h *= 1099511628211UL;
        }

        h ^= h >> 30;
        h *= 0xbf58476d1ce4e5b9UL;
        h ^= h >> 27;
        h *= 0x94d049bb133111ebUL;
        h ^= h >> 31;
        return h;
    }
}
