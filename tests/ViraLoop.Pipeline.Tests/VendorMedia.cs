using ViraLoop.Media;

namespace ViraLoop.Pipeline.Tests;

/// <summary>What the fake video vendor hands out: a short moving portrait clip made with ffmpeg's test source.</summary>
public static class VendorMedia
{
    public static async Task<byte[]> ClipAsync()
    {
        var path = Path.Combine(Path.GetTempPath(), $"vendor-{Guid.NewGuid():N}.mp4");
        var r = await Tools.RunAsync(Tools.Ffmpeg, ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=360x640:rate=24", "-t", "3",
            "-c:v", "libx264", "-pix_fmt", "yuv420p", path]);
        if (r.ExitCode != 0) throw new InvalidOperationException($"ffmpeg could not make the vendor clip: {r.StdErr}");
        var bytes = await File.ReadAllBytesAsync(path);
        File.Delete(path);
        return bytes;
    }

    /// <summary>A clip that strobes black/white every 3 frames at 30 fps (5 flashes a second): what the flash check must stop.</summary>
    public static async Task<byte[]> StrobeClipAsync()
    {
        var path = Path.Combine(Path.GetTempPath(), $"vendor-strobe-{Guid.NewGuid():N}.mp4");
        var r = await Tools.RunAsync(Tools.Ffmpeg, ["-v", "error", "-y", "-f", "lavfi", "-i", "color=c=black:s=360x640:r=30:d=3", "-vf",
            "format=yuv420p,geq=lum='if(lt(mod(N,6),3),16,235)':cb=128:cr=128", "-c:v", "libx264", "-pix_fmt", "yuv420p", path]);
        if (r.ExitCode != 0) throw new InvalidOperationException($"ffmpeg could not make the strobe clip: {r.StdErr}");
        var bytes = await File.ReadAllBytesAsync(path);
        File.Delete(path);
        return bytes;
    }
}
