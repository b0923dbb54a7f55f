namespace ViraLoop.Runtime.Hosting;

/// <summary>Settings of one silo (or client). Defaults follow Orleans where it has one.</summary>
public sealed class SiloOptions
{
    /// <summary>Unique id of this silo in the cluster; also reported by grains as the silo identity.</summary>
    public string SiloId { get; set; } = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}";

    /// <summary>Roles of this silo (for example <c>gpu</c>). Grain types marked with <see cref="SiloRoleAttribute"/> activate only on silos with that role.</summary>
    public HashSet<string> Roles { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Address advertised in the membership table (informational).</summary>
    public string Address { get; set; } = Environment.MachineName;

    /// <summary>How long a request waits for its response (Orleans: 30 s).</summary>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How many times a one-way message whose handler throws is tried before it goes to the dead-letter store.</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Idle activations older than this are deactivated (Orleans: 15 min).</summary>
    public TimeSpan CollectionAge { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How often idle activations are looked for (Orleans: 1 min).</summary>
    public TimeSpan CollectionQuantum { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Membership heartbeat period; a silo silent for <see cref="MissedHeartbeatsForDead"/> periods is reported dead.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(5);

    public int MissedHeartbeatsForDead { get; set; } = 3;

    /// <summary>How often the reminder table is polled for due reminders.</summary>
    public TimeSpan ReminderPollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Shortest reminder period accepted (Orleans: 1 min).</summary>
    public TimeSpan MinimumReminderPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Pause before a message that could not be settled (store unavailable) is given back to the broker.</summary>
    public TimeSpan RequeueDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a graceful stop waits for in-flight turns.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Embedded mode: copy arguments and results through the serializer (as cluster mode does),
    /// except primitives, strings and <see cref="ImmutableAttribute"/> types. Keeps grain code mode-agnostic.
    /// </summary>
    public bool CopyMessages { get; set; } = true;

    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
