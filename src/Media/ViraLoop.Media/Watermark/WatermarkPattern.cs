namespace ViraLoop.Media.Watermark;

/// <summary>
/// The watermark as a picture: a static luma pattern the size of the frame, 128 where nothing is added, for ffmpeg's
/// <c>blend=all_mode=grainmerge</c> (which adds <c>pattern − 128</c> to every pixel). The chroma planes are 128: untouched.
/// </summary>
public static class WatermarkPattern
{
    /// <summary>Peak change in luma levels at a cell's centre.</summary>
    public const double DefaultAmplitude = 2.5;

    /// <summary>
    /// The amplitude a frame of this height is marked with: <see cref="DefaultAmplitude"/> for masters (1080 lines and up);
    /// 3.5 levels for smaller frames (previews), whose cells are a few pixels wide and lose more to a CRF 28 re-encode
    /// (at 2.5 a flat 540×960 preview decoded its payload only some of the time; PSNR stays above 40 dB).
    /// </summary>
    public static double AmplitudeFor(int height) => height >= 1080 ? DefaultAmplitude : 3.5;

    /// <summary>The luma plane (width × height bytes, 128 ± the pattern) of <paramref name="payload"/> under <paramref name="key"/>.</summary>
    public static byte[] RenderLuma(WatermarkKey key, ulong payload, int width, int height, double amplitude = DefaultAmplitude)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 16);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 16);
        var signs = new WatermarkLayout(key).CellSigns(payload);
        double cell = (double)height / WatermarkLayout.TilesPerHeight / WatermarkLayout.Cells;
        // Each axis separately: which cell a pixel column/row is in (within the tile) and its shape weight.
        static (int[] Index, double[] Weight) Axis(int n, double cell)
        {
            var index = new int[n];
            var weight = new double[n];
            for (int i = 0; i < n; i++)
            {
                double u = (i + 0.5) / cell;
                double whole = Math.Floor(u);
                index[i] = (int)(whole % WatermarkLayout.Cells);
                weight[i] = WatermarkLayout.Shape(u - whole);
            }
            return (index, weight);
        }
        var (cx, wx) = Axis(width, cell);
        var (cy, wy) = Axis(height, cell);
        var luma = new byte[width * height];
        Parallel.For(0, height, y =>
        {
            int row = cy[y] * WatermarkLayout.Cells;
            for (int x = 0; x < width; x++)
            {
                double v = amplitude * signs[row + cx[x]] * wy[y] * wx[x];
                luma[y * width + x] = (byte)(128 + (int)Math.Round(v, MidpointRounding.AwayFromZero));
            }
        });
        return luma;
    }

    /// <summary>One yuv420p frame (luma pattern, neutral chroma) for ffmpeg's rawvideo input.</summary>
    public static byte[] RenderYuv420(WatermarkKey key, ulong payload, int width, int height, double amplitude = DefaultAmplitude)
    {
        if (width % 2 != 0 || height % 2 != 0) throw new ArgumentException($"A yuv420p frame has even sides; got {width}×{height}.");
        var luma = RenderLuma(key, payload, width, height, amplitude);
        var frame = new byte[width * height * 3 / 2];
        luma.CopyTo(frame, 0);
        frame.AsSpan(luma.Length).Fill(128);
        return frame;
    }

    /// <summary>Writes the yuv420p frame to <paramref name="path"/> (unless a file of that name is already there: the name says what it holds).</summary>
    public static async Task<string> WriteYuv420Async(string path, WatermarkKey key, ulong payload, int width, int height, CancellationToken ct)
    {
        if (File.Exists(path) && new FileInfo(path).Length == width * height * 3L / 2) return path;
        var part = $"{path}.part-{Guid.NewGuid():N}";
        await File.WriteAllBytesAsync(part, RenderYuv420(key, payload, width, height, AmplitudeFor(height)), ct);
        File.Move(part, path, overwrite: true);
        return path;
    }
}
