using System.Security.Cryptography;

namespace ViraLoop.Media.Storage;

/// <summary>
/// A blob store in a directory every silo mounts (a ReadWriteMany volume on Kubernetes). Writes go through
/// <see cref="AtomicFile"/>: a reader, a crash or a second silo never sees a partial blob.
/// </summary>
public sealed class DirectoryBlobStore : IBlobStore
{
    private readonly string _root;

    public DirectoryBlobStore(string root)
    {
        _root = Path.GetFullPath(root);
        Directory.CreateDirectory(_root);
    }

    public string Root => _root;

    public async Task<BlobRef> PutFileAsync(string key, string sourcePath, CancellationToken cancellationToken = default)
    {
        await using var source = new FileStream(sourcePath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        return await PutAsync(key, source, cancellationToken);
    }

    public async Task<BlobRef> PutAsync(string key, Stream content, CancellationToken cancellationToken = default)
    {
        var target = PathOf(key);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long length = 0;
        await AtomicFile.WriteAsync(target, async (file, ct) =>
        {
            var buffer = new byte[1 << 16];
            int n;
            while ((n = await content.ReadAsync(buffer, ct)) > 0)
            {
                sha.AppendData(buffer, 0, n);
                await file.WriteAsync(buffer.AsMemory(0, n), ct);
                length += n;
            }
        }, cancellationToken);
        return new BlobRef(key, length, Convert.ToHexStringLower(sha.GetHashAndReset()));
    }

    public async Task<BlobRef?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        var path = PathOf(key);
        if (!File.Exists(path)) return null;
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        var hash = await SHA256.HashDataAsync(file, cancellationToken);
        return new BlobRef(key, file.Length, Convert.ToHexStringLower(hash));
    }

    public Task<Stream> OpenReadAsync(BlobRef blob, CancellationToken cancellationToken = default) =>
        Task.FromResult<Stream>(new FileStream(PathOf(blob.Key), FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true));

    public string LocalPath(BlobRef blob) => PathOf(blob.Key);

    public string LocalDirectory(string prefix)
    {
        var path = PathOf(prefix);
        Directory.CreateDirectory(path);
        return path;
    }

    public Task<bool> DeletePrefixAsync(string prefix, CancellationToken cancellationToken = default)
    {
        var path = PathOf(prefix);
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
            return Task.FromResult(true);
        }
        if (File.Exists(path))
        {
            File.Delete(path);
            return Task.FromResult(true);
        }
        return Task.FromResult(false);
    }

    private string PathOf(string key)
    {
        var full = Path.GetFullPath(Path.Combine(_root, BlobKey.Validate(key)));
        // Validate already refuses '..' and absolute parts; this is the belt to those braces.
        if (!full.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new ArgumentException($"The blob key '{key}' leaves the store.", nameof(key));
        return full;
    }
}
