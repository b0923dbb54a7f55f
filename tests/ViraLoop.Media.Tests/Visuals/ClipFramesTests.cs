using ViraLoop.Media.Tests.Pipeline.Steps;
using ViraLoop.Media.Visuals;

namespace ViraLoop.Media.Tests.Visuals;

public sealed class ClipFramesTests
{
    [Fact]
    public async Task DecodeAsync_ShortLandscapeClip_FramesAtTheBackgroundSize_LoopedToTheSceneLength()
    {
        using var media = new StepTestMedia();
        var clip = await media.TestPatternClipAsync(0.5);
        using var frames = await ClipFrames.DecodeAsync(clip, 90, 160, 30, 1.5, media.PathOf("clip.rgb"));
        Assert.Equal((90, 160), (frames.Width, frames.Height));
        Assert.Equal(46, frames.Count); // 1.5 s at 30 fps, and the frame at the very end
        byte[] F(int i) { var b = new byte[frames.FrameBytes]; frames.Read(i, b); return b; }
        static double Diff(byte[] a, byte[] b) => a.Zip(b, (x, y) => Math.Abs(x - y)).Average();
        // The clip is 15 frames long: frame 17 is frame 2 again (looped), while frame 9 is a different moment of the pattern.
        Assert.True(Diff(F(2), F(17)) < 3, $"looped frame differs by {Diff(F(2), F(17)):0.0}");
        Assert.True(Diff(F(2), F(9)) > Diff(F(2), F(17)) + 2, "the test pattern does not move: the loop check proves nothing");
        Assert.Equal(F(45), F(500)); // past the end: the last frame
    }

    [Fact]
    public async Task DecodeAsync_NotAVideo_ThrowsAndLeavesNoRawFile()
    {
        using var media = new StepTestMedia();
        await File.WriteAllTextAsync(media.PathOf("bad.mp4"), "not a video");
        await Assert.ThrowsAsync<InvalidOperationException>(() => ClipFrames.DecodeAsync(media.PathOf("bad.mp4"), 90, 160, 30, 1, media.PathOf("bad.rgb")));
        Assert.False(File.Exists(media.PathOf("bad.rgb")));
    }
}
