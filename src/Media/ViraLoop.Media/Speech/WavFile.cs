using System.Buffers.Binary;

namespace ViraLoop.Media.Speech;

/// <summary>16-bit PCM WAV: just enough to read a voice, trim its silence and write audio we synthesize.</summary>
public sealed class WavFile(int sampleRate, int channels, short[] samples)
{
    public int SampleRate { get; } = sampleRate;
    public int Channels { get; } = channels;
    public short[] Samples { get; } = samples;
    public double DurationSeconds => (double)Samples.Length / Channels / SampleRate;

    public static WavFile Read(string path) => Parse(File.ReadAllBytes(path), path);

    public static WavFile Parse(ReadOnlySpan<byte> b, string what = "audio")
    {
        if (b.Length < 12 || b[..4].SequenceEqual("RIFF"u8) is false || b[8..12].SequenceEqual("WAVE"u8) is false)
            throw new InvalidDataException($"{what} is not a RIFF/WAVE file.");
        int pos = 12, rate = 0, channels = 0, bits = 0;
        while (pos + 8 <= b.Length)
        {
            var id = b.Slice(pos, 4);
            int size = BinaryPrimitives.ReadInt32LittleEndian(b.Slice(pos + 4, 4));
            int body = pos + 8;
            if (id.SequenceEqual("fmt "u8))
            {
                int format = BinaryPrimitives.ReadInt16LittleEndian(b.Slice(body, 2));
                channels = BinaryPrimitives.ReadInt16LittleEndian(b.Slice(body + 2, 2));
                rate = BinaryPrimitives.ReadInt32LittleEndian(b.Slice(body + 4, 4));
                bits = BinaryPrimitives.ReadInt16LittleEndian(b.Slice(body + 14, 2));
                if ((format != 1 && format != unchecked((short)0xFFFE)) || bits != 16) throw new InvalidDataException($"{what}: only 16-bit PCM WAV is supported.");
            }
            else if (id.SequenceEqual("data"u8))
            {
                if (rate == 0) throw new InvalidDataException($"{what}: data before fmt.");
                // Streaming writers (espeak-ng to a pipe, some APIs) leave the size at 0 or -1: take what is there.
                int len = size <= 0 || body + size > b.Length ? b.Length - body : size;
                var samples = new short[len / 2];
                for (int i = 0; i < samples.Length; i++) samples[i] = BinaryPrimitives.ReadInt16LittleEndian(b.Slice(body + i * 2, 2));
                return new WavFile(rate, channels, samples);
            }
            pos = body + size + (size & 1);
        }
        throw new InvalidDataException($"{what} has no data chunk.");
    }

    public void Write(string path)
    {
        using var f = File.Create(path);
        Span<byte> h = stackalloc byte[44];
        int dataBytes = Samples.Length * 2;
        "RIFF"u8.CopyTo(h);
        BinaryPrimitives.WriteInt32LittleEndian(h[4..], 36 + dataBytes);
        "WAVEfmt "u8.CopyTo(h[8..]);
        BinaryPrimitives.WriteInt32LittleEndian(h[16..], 16);
        BinaryPrimitives.WriteInt16LittleEndian(h[20..], 1);
        BinaryPrimitives.WriteInt16LittleEndian(h[22..], (short)Channels);
        BinaryPrimitives.WriteInt32LittleEndian(h[24..], SampleRate);
        BinaryPrimitives.WriteInt32LittleEndian(h[28..], SampleRate * Channels * 2);
        BinaryPrimitives.WriteInt16LittleEndian(h[32..], (short)(Channels * 2));
        BinaryPrimitives.WriteInt16LittleEndian(h[34..], 16);
        "data"u8.CopyTo(h[36..]);
        BinaryPrimitives.WriteInt32LittleEndian(h[40..], dataBytes);
        f.Write(h);
        var buf = new byte[dataBytes];
        for (int i = 0; i < Samples.Length; i++) BinaryPrimitives.WriteInt16LittleEndian(buf.AsSpan(i * 2), Samples[i]);
        f.Write(buf);
    }

    /// <summary>First and last sample (in seconds) louder than the threshold, measured in 10 ms windows.</summary>
    public (double Start, double End) VoicedSpan(double thresholdDb = -40)
    {
        int window = Math.Max(1, SampleRate / 100) * Channels;
        double threshold = 32768 * Math.Pow(10, thresholdDb / 20);
        int first = -1, last = -1;
        for (int w = 0; w * window < Samples.Length; w++)
        {
            double sum = 0;
            int n = Math.Min(window, Samples.Length - w * window);
            for (int i = 0; i < n; i++) { double s = Samples[w * window + i]; sum += s * s; }
            if (Math.Sqrt(sum / n) > threshold) { if (first < 0) first = w; last = w; }
        }
        if (first < 0) return (0, 0);
        return (first * 0.01, Math.Min(DurationSeconds, (last + 1) * 0.01));
    }

    /// <summary>A copy between two times, with short fades so cuts never click.</summary>
    public WavFile Slice(double start, double end, double fadeSeconds = 0.01)
    {
        int s = Math.Clamp((int)(start * SampleRate), 0, Samples.Length / Channels) * Channels;
        int e = Math.Clamp((int)(end * SampleRate), 0, Samples.Length / Channels) * Channels;
        var copy = Samples[s..Math.Max(s, e)];
        int fade = Math.Min(copy.Length / 2 / Channels, (int)(fadeSeconds * SampleRate));
        for (int i = 0; i < fade; i++)
            for (int c = 0; c < Channels; c++)
            {
                double g = (double)i / fade;
                copy[i * Channels + c] = (short)(copy[i * Channels + c] * g);
                int j = copy.Length - (i + 1) * Channels + c;
                copy[j] = (short)(copy[j] * g);
            }
        return new WavFile(SampleRate, Channels, copy);
    }
}
