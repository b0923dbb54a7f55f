using System.Security.Cryptography;
using System.Text;
using ViraLoop.Media.Storage;

namespace ViraLoop.Media.Tests.Storage;

public sealed class DirectoryBlobStoreTests
{
    private readonly DirectoryBlobStore _store = new(Directory.CreateTempSubdirectory("vl-blobs-").FullName);

    [Fact]
    public async Task PutAsync_ThenGetAndRead_ReturnsTheSameBytesWithTheirHash()
    {
        var bytes = RandomNumberGenerator.GetBytes(300_000);
        var put = await _store.PutAsync(BlobKey.Of("tenant-a", "job-1", "voice.wav"), new MemoryStream(bytes));
        Assert.Equal(bytes.Length, put.Length);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), put.Sha256);

        var got = await _store.GetAsync("tenant-a/job-1/voice.wav");
        Assert.Equal(put, got);
        await using var read = await _store.OpenReadAsync(got!);
        var copy = new MemoryStream();
        await read.CopyToAsync(copy);
        Assert.Equal(bytes, copy.ToArray());
        Assert.Equal(bytes, await File.ReadAllBytesAsync(_store.LocalPath(got!)));
    }

    [Fact]
    public async Task GetAsync_MissingKey_IsNull() => Assert.Null(await _store.GetAsync("tenant-a/none.mp4"));

    [Fact]
    public async Task PutAsync_SourceFailsHalfway_LeavesNeitherABlobNorATemporaryFile()
    {
        await Assert.ThrowsAsync<IOException>(() => _store.PutAsync("t/j/video.mp4", new FailingStream(100_000)));
        Assert.Null(await _store.GetAsync("t/j/video.mp4"));
        Assert.Empty(Directory.EnumerateFiles(_store.Root, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task PutAsync_ReplacingABlob_ReadersSeeTheOldOrTheNewWhole_NeverAMix()
    {
        var a = Enumerable.Repeat((byte)'a', 2_000_000).ToArray();
        var b = Enumerable.Repeat((byte)'b', 2_000_000).ToArray();
        await _store.PutAsync("t/j/seg.mp4", new MemoryStream(a));
        var writer = Task.Run(async () =>
        {
            for (var i = 0; i < 20; i++) await _store.PutAsync("t/j/seg.mp4", new MemoryStream(i % 2 == 0 ? b : a));
        });
        while (!writer.IsCompleted)
        {
            var blob = (await _store.GetAsync("t/j/seg.mp4"))!;
            var bytes = await File.ReadAllBytesAsync(_store.LocalPath(blob));
            Assert.Equal(2_000_000, bytes.Length);
            Assert.True(bytes.All(x => x == bytes[0]), "a reader saw a blob made of two writes");
        }
        await writer;
    }

    [Theory]
    [InlineData("../etc/passwd")]
    [InlineData("/etc/passwd")]
    [InlineData("t/../../x")]
    [InlineData("t//x")]
    [InlineData(".hidden/x")]
    [InlineData("t/x y")]
    [InlineData("t/\u0000x")]
    public async Task Keys_ThatCouldLeaveTheStoreOrAreNotSafe_AreRefused(string key)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _store.PutAsync(key, new MemoryStream(Encoding.UTF8.GetBytes("x"))));
    }

    [Fact]
    public async Task DeletePrefixAsync_RemovesAJobsArtefacts_AndOnlyThose()
    {
        await _store.PutAsync("t/job-1/a.wav", new MemoryStream([1]));
        await _store.PutAsync("t/job-1/scene-0/b.mp4", new MemoryStream([2]));
        await _store.PutAsync("t/job-2/a.wav", new MemoryStream([3]));
        Assert.True(await _store.DeletePrefixAsync("t/job-1"));
        Assert.Null(await _store.GetAsync("t/job-1/a.wav"));
        Assert.NotNull(await _store.GetAsync("t/job-2/a.wav"));
        Assert.False(await _store.DeletePrefixAsync("t/job-1"));
    }

    /// <summary>Yields some bytes, then fails like a dropped upload.</summary>
    private sealed class FailingStream(int failAfter) : Stream
    {
        private int _read;
        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_read >= failAfter) throw new IOException("connection reset");
            var n = Math.Min(count, failAfter - _read);
            Array.Fill(buffer, (byte)7, offset, n);
            _read += n;
            return n;
        }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _read; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
