namespace ViraLoop.Grains.Messages;

/// <summary>
/// A job's grain key is <c>tenant/job</c>: one tenant can never address another's job by guessing an id. Both parts are
/// 1–64 letters, digits, '-' or '_'.
/// </summary>
public static class JobKeys
{
    public static string Of(string tenantId, string jobId) => $"{Part(tenantId, "tenant")}/{Part(jobId, "job")}";

    public static (string TenantId, string JobId) Parse(string key)
    {
        var i = key.IndexOf('/');
        if (i <= 0 || i == key.Length - 1) throw new ArgumentException($"'{key}' is not a job key (tenant/job).", nameof(key));
        return (Part(key[..i], "tenant"), Part(key[(i + 1)..], "job"));
    }

    public static bool IsValidPart(string? part) =>
        part is { Length: > 0 and <= 64 } && part.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private static string Part(string part, string what) => IsValidPart(part) ? part
        : throw new ArgumentException($"A {what} id must be 1–64 letters, digits, '-' or '_'; got '{part}'.");
}
