using System.Globalization;

namespace ViraLoop.Media.Watermark;

/// <summary>
/// What the detector found. <see cref="Found"/> only when the key's sync pattern stands out (<see cref="SyncStrength"/>, a
/// z-score over every scale and offset searched, at or above <see cref="WatermarkAnalysis.SyncThreshold"/>) and the decoded
/// payload's CRC matches. <see cref="BitAccuracy"/>: the share of raw coded bits (before error correction) that agree with
/// the decoded payload's code word. <see cref="Scale"/>: the tile's size against an uncropped frame of the same height
/// (1 for the original framing; about 1.11 after a 10 % crop). <see cref="SoftBits"/>: one soft value per coded bit
/// (positive = 1), for measuring raw bit accuracy against a known payload.
/// </summary>
public sealed record WatermarkDetection(bool Found, ulong? Payload, double BitAccuracy, double SyncStrength, double Scale, int FramesUsed)
{
    public IReadOnlyList<double> SoftBits { get; init; } = [];

    /// <summary>The share of raw coded bits that agree with <paramref name="payload"/>'s code word.</summary>
    public double BitAccuracyAgainst(ulong payload)
    {
        if (SoftBits.Count != PayloadCode.CodedBits) return 0;
        var coded = PayloadCode.Encode(payload);
        return (double)coded.Where((b, i) => b == SoftBits[i] > 0).Count() / coded.Length;
    }

    public string Describe()
    {
        var inv = CultureInfo.InvariantCulture;
        return Found
            ? string.Create(inv, $"watermark found: payload {WatermarkPayload.Format(Payload!.Value)}, sync {SyncStrength:0.0}σ, raw bit accuracy {BitAccuracy:P1}, scale {Scale:0.000}, {FramesUsed} frames")
            : string.Create(inv, $"no watermark found for this key (best sync {SyncStrength:0.0}σ, threshold {WatermarkAnalysis.SyncThreshold:0.0}σ; {FramesUsed} frames)");
    }
}
