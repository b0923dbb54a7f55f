namespace ViraLoop.Runtime;

public enum SiloStatus { Active, Dead, ShutDown }

/// <summary>A row of the membership table.</summary>
public sealed record SiloInfo(
    string SiloId,
    string Address,
    IReadOnlyList<string> Roles,
    DateTimeOffset StartedAt,
    DateTimeOffset HeartbeatAt,
    SiloStatus Status,
    IReadOnlyList<string>? GrainTypes = null);

/// <summary>A message that could not be handled after its attempts, kept with the reason.</summary>
public sealed record DeadLetter(
    string MessageId,
    string GrainType,
    string GrainKey,
    string Method,
    string Reason,
    int Attempts,
    string Payload,
    DateTimeOffset At);

public sealed record ReminderEntry(string GrainType, string GrainKey, string Name, DateTimeOffset DueAt, TimeSpan Period);
