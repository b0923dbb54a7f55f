namespace ViraLoop.Grains.Scheduling;

/// <summary>Items with the same batch key, handed out together; each still has its own lease.</summary>
public sealed record WorkBatch(string BatchKey, IReadOnlyList<LeasedWork> Items);
