namespace ViraLoop.Media.Visuals.Backends;

/// <summary>Where a vendor task stands.</summary>
public enum VisualTaskStatus { Pending, Running, Succeeded, Failed }
