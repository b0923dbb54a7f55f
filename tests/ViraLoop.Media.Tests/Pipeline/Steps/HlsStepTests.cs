using ViraLoop.Media.Pipeline.Steps;

namespace ViraLoop.Media.Tests.Pipeline.Steps;

public sealed class HlsStepTests
{
    [Fact]
    public async Task RunAsync_Mp4_PlaylistWithCopiedSegmentsThatExist()
    {
        using var media = new StepTestMedia();
        var mp4 = media.PathOf("in.mp4");
        var r = await Tools.RunAsync(Tools.Ffmpeg, ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=270x480:rate=30:duration=6",
            "-f", "lavfi", "-i", "sine=frequency=440:duration=6", "-c:v", "libx264", "-preset", "ultrafast", "-g", "60", "-pix_fmt", "yuv420p",
            "-c:a", "aac", "-shortest", mp4]);
        Assert.True(r.ExitCode == 0, r.StdErr);
        var hls = await new HlsStep().RunAsync(new HlsSpec(mp4, media.PathOf("hls")));
        Assert.Equal(media.PathOf("hls/index.m3u8"), hls.PlaylistPath);
        Assert.Equal(["segment-000.m4s", "segment-001.m4s"], hls.Segments);
        Assert.All(hls.Segments, s => Assert.True(new FileInfo(media.PathOf($"hls/{s}")).Length > 1000));
        Assert.Equal(await MediaProbe.StreamMd5Async(mp4, "0:v:0"), await MediaProbe.StreamMd5Async(hls.PlaylistPath, "0:v:0"));
    }

    [Fact]
    public async Task RunAsync_NoVideo_ThrowsFileNotFound()
    {
        using var media = new StepTestMedia();
        await Assert.ThrowsAsync<FileNotFoundException>(() => new HlsStep().RunAsync(new HlsSpec(media.PathOf("none.mp4"), media.PathOf("hls"))));
    }
}
