using ViraLoop.Media.Pipeline.Steps;

namespace ViraLoop.Media.Tests.Pipeline.Steps;

public sealed class HlsStepTests
{
    /// <summary>A 6 s H.264 + AAC MP4 with a keyframe every 2 s, as the assembly step writes them (small).</summary>
    private static async Task<string> Mp4Async(StepTestMedia media)
    {
        var mp4 = media.PathOf("in.mp4");
        var r = await Tools.RunAsync(Tools.Ffmpeg, ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=270x480:rate=30:duration=6",
            "-f", "lavfi", "-i", "sine=frequency=440:duration=6", "-c:v", "libx264", "-preset", "ultrafast", "-g", "60", "-pix_fmt", "yuv420p",
            "-c:a", "aac", "-shortest", mp4]);
        Assert.True(r.ExitCode == 0, r.StdErr);
        return mp4;
    }

    [Fact]
    public async Task RunAsync_Mp4_FourSecondSegmentsOfTheCopiedStreams()
    {
        using var media = new StepTestMedia();
        var mp4 = await Mp4Async(media);
        var hls = await new HlsStep().RunAsync(new HlsSpec(mp4, media.PathOf("hls")));
        Assert.Equal(media.PathOf("hls/index.m3u8"), hls.PlaylistPath);
        Assert.Equal(["segment-000.m4s", "segment-001.m4s"], hls.Segments);
        Assert.All(hls.Segments, s => Assert.True(new FileInfo(media.PathOf($"hls/{s}")).Length > 1000));

        // The playlist as a player reads it: 4 s target, a 4 s segment, then what is left, adding up to the MP4's length.
        var text = await File.ReadAllTextAsync(hls.PlaylistPath);
        Assert.Contains("#EXT-X-TARGETDURATION:4", text);
        var segments = MediaProbe.HlsSegments(text);
        Assert.Equal(hls.Segments, segments.Select(s => s.File));
        Assert.InRange(segments[0].Extinf, 3.9, 4.1);
        Assert.InRange(segments[^1].Extinf, 0.2, 4.1);
        Assert.InRange(segments.Sum(s => s.Extinf), 5.9, 6.1);

        // Copied, not re-encoded: codec parameters, every packet's size and the streams' bytes are the MP4's.
        Assert.Equal(await MediaProbe.CodecParametersAsync(mp4), await MediaProbe.CodecParametersAsync(hls.PlaylistPath));
        Assert.Equal((await MediaProbe.PacketsAsync(mp4, "v:0")).Select(p => p.Size), (await MediaProbe.PacketsAsync(hls.PlaylistPath, "v:0")).Select(p => p.Size));
        Assert.Equal(await MediaProbe.StreamMd5Async(mp4, "0:v:0"), await MediaProbe.StreamMd5Async(hls.PlaylistPath, "0:v:0"));
        Assert.Equal(await MediaProbe.StreamMd5Async(mp4, "0:a:0"), await MediaProbe.StreamMd5Async(hls.PlaylistPath, "0:a:0"));
    }

    [Fact]
    public async Task CopyChecks_TellAReencodedPlaylist_FromTheMp4()
    {
        // The checks above can fail: the same MP4 packaged by ffmpeg with the video re-encoded (same codec, same settings)
        // has other packet sizes and other bytes.
        using var media = new StepTestMedia();
        var mp4 = await Mp4Async(media);
        Directory.CreateDirectory(media.PathOf("reencoded"));
        var playlist = media.PathOf("reencoded/index.m3u8");
        var r = await Tools.RunAsync(Tools.Ffmpeg, ["-v", "error", "-y", "-i", mp4, "-c:v", "libx264", "-preset", "ultrafast", "-g", "60", "-pix_fmt", "yuv420p",
            "-c:a", "copy", "-f", "hls", "-hls_time", "4", "-hls_playlist_type", "vod", "-hls_segment_type", "fmp4", playlist]);
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.NotEqual((await MediaProbe.PacketsAsync(mp4, "v:0")).Select(p => p.Size), (await MediaProbe.PacketsAsync(playlist, "v:0")).Select(p => p.Size));
        Assert.NotEqual(await MediaProbe.StreamMd5Async(mp4, "0:v:0"), await MediaProbe.StreamMd5Async(playlist, "0:v:0"));
    }

    [Fact]
    public async Task RunAsync_NoVideo_ThrowsFileNotFound()
    {
        using var media = new StepTestMedia();
        await Assert.ThrowsAsync<FileNotFoundException>(() => new HlsStep().RunAsync(new HlsSpec(media.PathOf("none.mp4"), media.PathOf("hls"))));
    }
}
