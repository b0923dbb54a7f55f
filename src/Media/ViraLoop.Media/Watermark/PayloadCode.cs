namespace ViraLoop.Media.Watermark;

/// <summary>
/// The payload's channel code: 64 bits + CRC-16 (CCITT, polynomial 0x1021) + 6 zero tail bits through a rate-½, K = 7
/// convolutional code (generators 133 and 171 octal) = 172 coded bits; decoded by a soft-decision Viterbi decoder.
/// </summary>
public static class PayloadCode
{
    public const int PayloadBits = 64, CrcBits = 16, TailBits = 6;
    public const int InfoBits = PayloadBits + CrcBits;
    public const int CodedBits = 2 * (InfoBits + TailBits);
    private const int G0 = 0x5B, G1 = 0x79; // 133, 171 octal
    private const int States = 64;

    public static ushort Crc16(ulong payload)
    {
        ushort crc = 0xFFFF;
        for (int b = 7; b >= 0; b--)
        {
            crc ^= (ushort)((byte)(payload >> (8 * b)) << 8);
            for (int i = 0; i < 8; i++) crc = (ushort)((crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1);
        }
        return crc;
    }

    /// <summary>The 80 information bits, payload then CRC, most significant first.</summary>
    public static bool[] InfoBitsOf(ulong payload)
    {
        var bits = new bool[InfoBits];
        for (int i = 0; i < PayloadBits; i++) bits[i] = ((payload >> (63 - i)) & 1) != 0;
        ushort crc = Crc16(payload);
        for (int i = 0; i < CrcBits; i++) bits[PayloadBits + i] = ((crc >> (15 - i)) & 1) != 0;
        return bits;
    }

    /// <summary>The 172 coded bits of a payload.</summary>
    public static bool[] Encode(ulong payload) => Convolve(InfoBitsOf(payload));

    /// <summary>Convolves information bits (plus the zero tail) into twice as many coded bits.</summary>
    public static bool[] Convolve(IReadOnlyList<bool> info)
    {
        var coded = new bool[2 * (info.Count + TailBits)];
        int reg = 0;
        for (int i = 0; i < info.Count + TailBits; i++)
        {
            int bit = i < info.Count && info[i] ? 1 : 0;
            reg = ((reg << 1) | bit) & 0x7F;
            coded[2 * i] = Parity(reg & G0);
            coded[2 * i + 1] = Parity(reg & G1);
        }
        return coded;
    }

    /// <summary>
    /// Soft-decision Viterbi: <paramref name="soft"/> holds one value per coded bit, positive for 1, negative for 0, its size
    /// the confidence. Returns the most likely information bits (the tail removed), starting and ending in state 0.
    /// </summary>
    public static bool[] Viterbi(ReadOnlySpan<double> soft)
    {
        if (soft.Length % 2 != 0 || soft.Length < 2 * (TailBits + 1)) throw new ArgumentException("Soft values come in pairs, tail included.", nameof(soft));
        int steps = soft.Length / 2;
        var metric = new double[States];
        var next = new double[States];
        var from = new byte[steps, States];
        Array.Fill(metric, double.NegativeInfinity);
        metric[0] = 0;
        // Expected outputs for state s (the 6 previous bits) and input b.
        Span<sbyte> out0 = stackalloc sbyte[2 * States], out1 = stackalloc sbyte[2 * States];
        for (int s = 0; s < States; s++)
            for (int b = 0; b < 2; b++)
            {
                int reg = (s << 1) | b;
                out0[2 * s + b] = Parity(reg & G0) ? (sbyte)1 : (sbyte)-1;
                out1[2 * s + b] = Parity(reg & G1) ? (sbyte)1 : (sbyte)-1;
            }
        for (int t = 0; t < steps; t++)
        {
            Array.Fill(next, double.NegativeInfinity);
            double y0 = soft[2 * t], y1 = soft[2 * t + 1];
            int maxInput = t >= steps - TailBits ? 0 : 1;
            for (int s = 0; s < States; s++)
            {
                if (double.IsNegativeInfinity(metric[s])) continue;
                for (int b = 0; b <= maxInput; b++)
                {
                    int ns = ((s << 1) | b) & (States - 1);
                    double m = metric[s] + y0 * out0[2 * s + b] + y1 * out1[2 * s + b];
                    if (m > next[ns]) { next[ns] = m; from[t, ns] = (byte)s; }
                }
            }
            (metric, next) = (next, metric);
        }
        var bits = new bool[steps];
        for (int t = steps - 1, s = 0; t >= 0; t--)
        {
            bits[t] = (s & 1) != 0;
            s = from[t, s];
        }
        return bits[..(steps - TailBits)];
    }

    /// <summary>Decodes soft coded bits to a payload; false when the CRC does not match.</summary>
    public static bool TryDecode(ReadOnlySpan<double> soft, out ulong payload, out bool[] info)
    {
        info = Viterbi(soft);
        payload = 0;
        for (int i = 0; i < PayloadBits; i++) payload = (payload << 1) | (info[i] ? 1UL : 0UL);
        ushort crc = 0;
        for (int i = 0; i < CrcBits; i++) crc = (ushort)((crc << 1) | (info[PayloadBits + i] ? 1 : 0));
        return crc == Crc16(payload);
    }

    private static bool Parity(int x) => (System.Numerics.BitOperations.PopCount((uint)x) & 1) != 0;
}
