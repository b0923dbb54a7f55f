using ViraLoop.Media.Watermark;

namespace ViraLoop.Media.Tests.Watermark;

public sealed class PayloadCodeTests
{
    private static double[] Soft(bool[] coded) => coded.Select(b => b ? 1.0 : -1.0).ToArray();

    [Fact]
    public void Encode_HasRateHalfWithTail() =>
        Assert.Equal(2 * (64 + 16 + 6), PayloadCode.Encode(0x0123456789abcdefUL).Length);

    [Theory]
    [InlineData(0UL)]
    [InlineData(ulong.MaxValue)]
    [InlineData(0x0123456789abcdefUL)]
    public void TryDecode_CleanCodeWord_ReturnsPayload(ulong payload)
    {
        Assert.True(PayloadCode.TryDecode(Soft(PayloadCode.Encode(payload)), out var decoded, out _));
        Assert.Equal(payload, decoded);
    }

    [Fact]
    public void TryDecode_ScatteredHardErrors_Corrected()
    {
        const ulong payload = 0xfeedface12345678UL;
        var soft = Soft(PayloadCode.Encode(payload));
        // 12 flipped bits (7 %), no two within 12 positions of each other: well inside the code's free distance per span.
        for (int i = 5; i < soft.Length; i += 14) soft[i] = -soft[i];
        Assert.Equal(12, soft.Zip(Soft(PayloadCode.Encode(payload))).Count(p => p.First != p.Second));
        Assert.True(PayloadCode.TryDecode(soft, out var decoded, out _));
        Assert.Equal(payload, decoded);
    }

    [Fact]
    public void TryDecode_NoisySoftValues_RecoversPayloadAtLowSnr()
    {
        var rng = new Random(3);
        const ulong payload = 0x1122334455667788UL;
        var clean = Soft(PayloadCode.Encode(payload));
        int raw = 0, ok = 0;
        for (int trial = 0; trial < 20; trial++)
        {
            // Gaussian noise at σ = 0.7: about 8 % of the raw bits come out wrong.
            var noisy = clean.Select(v => v + 0.7 * Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble())).ToArray();
            raw += noisy.Zip(clean).Count(p => Math.Sign(p.First) != Math.Sign(p.Second));
            if (PayloadCode.TryDecode(noisy, out var d, out _) && d == payload) ok++;
        }
        Assert.InRange(raw / (20.0 * clean.Length), 0.04, 0.15);
        Assert.True(ok >= 19, $"decoded {ok} of 20");
    }

    [Fact]
    public void TryDecode_CorruptedCrc_Rejected()
    {
        const ulong payload = 0x0badc0ffee000001UL;
        var info = PayloadCode.InfoBitsOf(payload);
        info[70] = !info[70]; // a CRC bit: the code word is valid, the CRC no longer matches
        Assert.False(PayloadCode.TryDecode(Soft(PayloadCode.Convolve(info)), out _, out _));
    }

    [Fact]
    public void TryDecode_RandomSoftValues_RarelyPassCrc()
    {
        var rng = new Random(9);
        int passed = 0;
        // A random word passes a 16-bit CRC with chance 2⁻¹⁶: 0.03 expected in 2,000 tries (this seed happens to give 1).
        for (int trial = 0; trial < 2000; trial++)
            if (PayloadCode.TryDecode(Enumerable.Range(0, PayloadCode.CodedBits).Select(_ => rng.NextDouble() - 0.5).ToArray(), out _, out _)) passed++;
        Assert.InRange(passed, 0, 1);
    }

    [Fact]
    public void Crc16_KnownVector()
    {
        // CRC-16/CCITT-FALSE of the ASCII bytes "12345678" is 0xA12B.
        Assert.Equal(0xA12B, PayloadCode.Crc16(0x3132333435363738UL));
    }
}
