using ViraLoop.Media.Watermark;

namespace ViraLoop.Media.Tests.Watermark;

/// <summary>The pattern and the detector without any codec: synthetic frames in memory.</summary>
public sealed class WatermarkPatternTests
{
    private static readonly WatermarkKey Key = WatermarkKey.FromSecret("pattern-tests");
    private const ulong Payload = 0x5eed5eed00c0ffeeUL;

    /// <summary>Moving noise plus the pattern at the analysis size (640 lines: tiles of 160 pixels).</summary>
    private static List<byte[]> Frames(int width, int height, bool marked, int count, int seed)
    {
        var pattern = marked ? WatermarkPattern.RenderLuma(Key, Payload, width, height) : null;
        var rng = new Random(seed);
        var frames = new List<byte[]>();
        for (int f = 0; f < count; f++)
        {
            var frame = new byte[width * height];
            for (int i = 0; i < frame.Length; i++)
            {
                int v = 110 + rng.Next(-20, 21) + (pattern is null ? 0 : pattern[i] - 128);
                frame[i] = (byte)Math.Clamp(v, 0, 255);
            }
            frames.Add(frame);
        }
        return frames;
    }

    [Fact]
    public void RenderLuma_AmplitudeAndBalance()
    {
        var luma = WatermarkPattern.RenderLuma(Key, Payload, 360, 640);
        int peak = (int)Math.Round(WatermarkPattern.DefaultAmplitude, MidpointRounding.AwayFromZero);
        Assert.InRange(peak, 1, 3);
        Assert.Equal(128 - peak, luma.Min());
        Assert.Equal(128 + peak, luma.Max());
        Assert.InRange(luma.Average(b => b - 128.0), -0.05, 0.05);
    }

    [Fact]
    public void Detect_MarkedFrames_ReadsPayload()
    {
        var d = WatermarkDetector.Analyze(Frames(360, 640, true, 12, 1), 360, 640).Detect(Key);
        Assert.True(d.Found, d.Describe());
        Assert.Equal(Payload, d.Payload);
        Assert.InRange(d.Scale, 0.99, 1.01);
    }

    [Fact]
    public void Detect_CroppedFrames_ReadsPayloadAtLargerScale()
    {
        // Marked at 400×712 lines, then the middle 360×640 kept: a 10 % crop read at the analysis height.
        var big = Frames(400, 712, true, 12, 2);
        var cropped = big.Select(f =>
        {
            var c = new byte[360 * 640];
            for (int y = 0; y < 640; y++) Array.Copy(f, (y + 36) * 400 + 20, c, y * 360, 360);
            return c;
        });
        var d = WatermarkDetector.Analyze(cropped, 360, 640).Detect(Key);
        Assert.True(d.Found, d.Describe());
        Assert.Equal(Payload, d.Payload);
        Assert.InRange(d.Scale, 712 / 640.0 - 0.01, 712 / 640.0 + 0.01);
    }

    [Fact]
    public void Detect_UnmarkedOrWrongKey_NotFound()
    {
        var unmarked = WatermarkDetector.Analyze(Frames(360, 640, false, 12, 3), 360, 640);
        Assert.False(unmarked.Detect(Key).Found);
        var marked = WatermarkDetector.Analyze(Frames(360, 640, true, 12, 4), 360, 640);
        var wrong = marked.Detect(WatermarkKey.FromSecret("someone else"));
        Assert.False(wrong.Found, wrong.Describe());
        Assert.True(wrong.SyncStrength < WatermarkAnalysis.SyncThreshold);
    }
}
