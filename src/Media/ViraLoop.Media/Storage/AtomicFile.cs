namespace ViraLoop.Media.Storage;

/// <summary>
/// Files that appear whole or not at all: written under a temporary name beside the target, flushed to disk, then renamed
/// over it. A reader, a crash or another silo never sees a partial file. The blob store and the visual backends share it.
/// </summary>
internal static class AtomicFile
{
    public static string TempPathFor(string path) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, $".{Path.GetFileNameWithoutExtension(path)}.{Guid.NewGuid():N}.tmp{Path.GetExtension(path)}");

    public static Task WriteAsync(string path, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken) =>
        WriteAsync(path, (f, ct) => f.WriteAsync(bytes, ct).AsTask(), cancellationToken);

    public static Task WriteAsync(string path, Stream content, CancellationToken cancellationToken) =>
        WriteAsync(path, (f, ct) => content.CopyToAsync(f, ct), cancellationToken);

    /// <summary>Runs <paramref name="write"/> into a temporary file, then renames it to <paramref name="path"/>; on failure nothing is left.</summary>
    public static async Task WriteAsync(string path, Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        var temp = TempPathFor(path);
        try
        {
            await using (var f = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                await write(f, cancellationToken);
                await f.FlushAsync(cancellationToken);
                f.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }
}
