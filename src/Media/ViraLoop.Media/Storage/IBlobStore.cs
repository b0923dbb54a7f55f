namespace ViraLoop.Media.Storage;

/// <summary>
/// Where artefacts (voice, frames, segments, MP4, HLS, thumbnails) live. Grain state holds <see cref="BlobRef"/>s,
/// never bytes. A blob appears whole or not at all: writers never leave a half-written blob under its name.
/// Keys are relative paths of safe segments (<c>tenant/job/scene-3/voice.wav</c>); nothing user-typed becomes a path
/// without <see cref="BlobKey.Segment"/>.
/// </summary>
public interface IBlobStore
{
    /// <summary>Copies a finished local file into the store under <paramref name="key"/>, atomically; an existing blob is replaced.</summary>
    Task<BlobRef> PutFileAsync(string key, string sourcePath, CancellationToken cancellationToken = default);

    /// <summary>Writes a blob from a stream, atomically.</summary>
    Task<BlobRef> PutAsync(string key, Stream content, CancellationToken cancellationToken = default);

    /// <summary>The blob, or null when there is none under that key.</summary>
    Task<BlobRef?> GetAsync(string key, CancellationToken cancellationToken = default);

    Task<Stream> OpenReadAsync(BlobRef blob, CancellationToken cancellationToken = default);

    /// <summary>A local path tools such as ffmpeg can read (the shared directory store returns the file itself).</summary>
    string LocalPath(BlobRef blob);

    /// <summary>
    /// A directory on the store's volume for scratch files that must outlive a crash (an assembly's finished chunks),
    /// under <paramref name="prefix"/>; created if missing. Not blobs: nothing there is written atomically for readers.
    /// </summary>
    string LocalDirectory(string prefix);

    /// <summary>Removes every blob under a key prefix (a job's artefacts); true if anything was there.</summary>
    Task<bool> DeletePrefixAsync(string prefix, CancellationToken cancellationToken = default);
}

/// <summary>A stored blob: its key, size and SHA-256 (hex), so a reader can check it got what was written.</summary>
public sealed record BlobRef(string Key, long Length, string Sha256);

/// <summary>Builds blob keys from parts, refusing anything that could leave the store.</summary>
public static class BlobKey
{
    private const int MaxSegment = 100;

    /// <summary>Joins validated segments with '/'.</summary>
    public static string Of(params string[] segments) => string.Join('/', segments.Select(Segment));

    /// <summary>A safe key segment: letters, digits, '-', '_', '.' (not leading), 1–100 characters.</summary>
    public static string Segment(string segment)
    {
        if (string.IsNullOrEmpty(segment) || segment.Length > MaxSegment)
            throw new ArgumentException($"A blob key segment must be 1–{MaxSegment} characters.", nameof(segment));
        if (segment[0] == '.' || !segment.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            throw new ArgumentException($"'{segment}' is not a safe blob key segment (letters, digits, '-', '_', '.'; not starting with '.').", nameof(segment));
        return segment;
    }

    /// <summary>Checks a whole key made elsewhere.</summary>
    public static string Validate(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        foreach (var s in key.Split('/')) Segment(s);
        return key;
    }
}
