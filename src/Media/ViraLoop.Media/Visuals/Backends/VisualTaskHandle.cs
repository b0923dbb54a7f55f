namespace ViraLoop.Media.Visuals.Backends;

/// <summary>
/// Everything needed to resume a visual task in another process: which backend made it (name and version), the vendor's
/// task id, the job it was made for, and backend-specific data (for a synchronous vendor, the path of what it already
/// delivered). A plain record of strings and numbers: persist it with System.Text.Json before polling.
/// </summary>
public sealed record VisualTaskHandle(
    string Backend,
    string BackendVersion,
    string TaskId,
    VisualJob Job,
    DateTimeOffset CreatedAt,
    IReadOnlyDictionary<string, string>? Data = null)
{
    /// <summary>A value of <see cref="Data"/>, or null.</summary>
    public string? Get(string key) => Data is not null && Data.TryGetValue(key, out var v) ? v : null;
}
