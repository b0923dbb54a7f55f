using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ViraLoop.Media.Watermark;

/// <summary>
/// The watermark's 64-bit payload: a hash that names one job (or one offline video). It links a copy found in the wild
/// back to the job and its manifest, which record the same value (<see cref="Format"/>).
/// </summary>
public static class WatermarkPayload
{
    /// <summary>The payload of a job of a tenant.</summary>
    public static ulong ForJob(string tenant, string jobId) => Hash($"job\n{tenant}\n{jobId}");

    /// <summary>The payload of a video made outside the cluster (the offline pipeline), named by its id.</summary>
    public static ulong ForVideo(Guid videoId) => Hash($"video\n{videoId:N}");

    /// <summary>16 lower-case hex digits, as manifests record it.</summary>
    public static string Format(ulong payload) => payload.ToString("x16", CultureInfo.InvariantCulture);

    public static ulong Parse(string hex) => ulong.Parse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    private static ulong Hash(string text) => BitConverter.ToUInt64(SHA256.HashData(Encoding.UTF8.GetBytes(text)), 0);
}
