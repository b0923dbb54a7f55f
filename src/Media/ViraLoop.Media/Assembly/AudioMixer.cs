using System.Globalization;
using ViraLoop.Media.Speech;

namespace ViraLoop.Media.Assembly;

/// <summary>
/// The soundtrack, mixed in memory: voices resampled to 48 kHz and placed on the timeline with short fades,
/// the music ducked under them (a sidechain envelope follower), the sum measured with the ITU-R BS.1770 /
/// EBU R128 integrated-loudness algorithm, set to −14 LUFS, and peak-limited below −1.5 dBFS. ffmpeg
/// then encodes it to AAC once, while the picture encodes.
/// </summary>
public static class AudioMixer
{
    public const double TargetLufs = -14, Ceiling = -1.5;
    public const int Rate = 48000;

    public sealed record MixStats(double MeasuredLufs, double GainDb, double FinalLufs, double PeakDbfs);

    public static async Task<MixStats> MixAsync(IReadOnlyList<VoiceClip> voices, WavFile music, double duration, string output, CancellationToken ct)
    {
        var (wav, stats) = Mix(voices.Select(v => (WavFile.Read(v.Path), v.Start)).ToList(), music, duration);
        var tmp = Path.ChangeExtension(output, ".wav");
        wav.Write(tmp);
        var r = await Tools.RunAsync(Tools.Ffmpeg, ["-hide_banner", "-loglevel", "error", "-y", "-i", tmp,
            "-c:a", "aac", "-b:a", "160k", "-ar", "48000", "-ac", "2", output], ct: ct);
        File.Delete(tmp);
        if (r.ExitCode != 0) throw new InvalidOperationException($"ffmpeg could not encode the soundtrack: {r.StdErr.Trim()}");
        return stats;
    }

    public static (WavFile Wav, MixStats Stats) Mix(IReadOnlyList<(WavFile Voice, double Start)> voices, WavFile music, double duration)
    {
        int n = (int)Math.Round(duration * Rate);
        var voice = new float[n];
        foreach (var (v, start) in voices) Place(v, start, voice);

        // Ducking: follow the voice's level (10 ms attack, 400 ms release) and pull the music down to about −10 dB under speech.
        var l = new float[n];
        var r = new float[n];
        double env = 0, att = Math.Exp(-1.0 / (0.010 * Rate)), rel = Math.Exp(-1.0 / (0.400 * Rate));
        for (int i = 0; i < n; i++)
        {
            double x = Math.Abs(voice[i]);
            env = x > env ? att * env + (1 - att) * x : rel * env + (1 - rel) * x;
            // Full duck = 1 / (1 + 2.16) = −10 dB, as documented (it was 1 / 13 = −22 dB: music vanished under speech and
            // took about 2 s to come back after each phrase).
            double duck = 1 / (1 + 2.16 * Math.Min(1, env / 0.05));
            double ml = 0, mr = 0;
            int j = i * music.Channels;
            if (j + music.Channels - 1 < music.Samples.Length)
            {
                ml = music.Samples[j] / 32768.0;
                mr = music.Channels > 1 ? music.Samples[j + 1] / 32768.0 : ml;
            }
            l[i] = (float)(voice[i] + 0.45 * duck * ml);
            r[i] = (float)(voice[i] + 0.45 * duck * mr);
        }

        double measured = IntegratedLoudness(l, r);
        double gainDb = double.IsFinite(measured) ? TargetLufs - measured : 0;
        // The limiter takes some loudness off speech peaks; a couple of corrections land the result on the target.
        float[] outL = l, outR = r;
        double final = measured;
        for (int pass = 0; pass < 4; pass++)
        {
            outL = (float[])l.Clone();
            outR = (float[])r.Clone();
            Limit(outL, outR, Math.Pow(10, gainDb / 20), Math.Pow(10, Ceiling / 20));
            final = IntegratedLoudness(outL, outR);
            if (!double.IsFinite(final) || Math.Abs(TargetLufs - final) < 0.2) break;
            gainDb += TargetLufs - final;
        }
        l = outL;
        r = outR;
        double peak = 0;
        var samples = new short[2 * n];
        for (int i = 0; i < n; i++)
        {
            peak = Math.Max(peak, Math.Max(Math.Abs(l[i]), Math.Abs(r[i])));
            samples[2 * i] = (short)Math.Clamp(l[i] * 32767, -32767, 32767);
            samples[2 * i + 1] = (short)Math.Clamp(r[i] * 32767, -32767, 32767);
        }
        var stats = new MixStats(Math.Round(measured, 2), Math.Round(gainDb, 2), Math.Round(final, 2), Math.Round(20 * Math.Log10(Math.Max(peak, 1e-9)), 2));
        return (new WavFile(Rate, 2, samples), stats);
    }

    /// <summary>Adds a mono voice at <paramref name="start"/>, resampled to 48 kHz (Catmull-Rom), with 10 ms fades.</summary>
    private static void Place(WavFile v, double start, float[] bus)
    {
        int ch = v.Channels;
        int srcLen = v.Samples.Length / ch;
        double step = (double)v.SampleRate / Rate;
        int outLen = (int)(srcLen / step);
        int offset = (int)Math.Round(start * Rate);
        int fade = Rate / 100;
        float S(int k) => k < 0 || k >= srcLen ? 0 : v.Samples[k * ch] / 32768f;
        for (int i = 0; i < outLen && offset + i < bus.Length; i++)
        {
            if (offset + i < 0) continue;
            double pos = i * step;
            int k = (int)pos;
            double t = pos - k;
            double p0 = S(k - 1), p1 = S(k), p2 = S(k + 1), p3 = S(k + 2);
            double y = p1 + 0.5 * t * (p2 - p0 + t * (2 * p0 - 5 * p1 + 4 * p2 - p3 + t * (3 * (p1 - p2) + p3 - p0)));
            double g = Math.Min(1, Math.Min((double)i / fade, (double)(outLen - i) / fade));
            bus[offset + i] += (float)(y * g);
        }
    }

    /// <summary>Integrated loudness (LUFS) of a 48 kHz stereo signal: K-weighting, 400 ms blocks with 75 % overlap, absolute and relative gates.</summary>
    public static double IntegratedLoudness(float[] left, float[] right)
    {
        var zl = KWeighted(left);
        var zr = KWeighted(right);
        int block = (int)(0.4 * Rate), hop = block / 4;
        var powers = new List<double>();
        for (int s = 0; s + block <= zl.Length; s += hop)
        {
            double sum = 0;
            for (int i = s; i < s + block; i++) sum += zl[i] * zl[i] + zr[i] * zr[i];
            powers.Add(sum / block);
        }
        static double Lufs(double p) => -0.691 + 10 * Math.Log10(p);
        var abs = powers.Where(p => p > 0 && Lufs(p) > -70).ToList();
        if (abs.Count == 0) return double.NegativeInfinity;
        double relative = Lufs(abs.Average()) - 10;
        var gated = abs.Where(p => Lufs(p) > relative).ToList();
        return Lufs(gated.Average());
    }

    private static double[] KWeighted(float[] x)
    {
        // BS.1770 pre-filter (high shelf) and RLB high-pass, coefficients for 48 kHz.
        var y = new double[x.Length];
        Biquad(x.Select(v => (double)v).ToArray(), y, 1.53512485958697, -2.69169618940638, 1.19839281085285, -1.69065929318241, 0.73248077421585);
        var z = new double[x.Length];
        Biquad(y, z, 1.0, -2.0, 1.0, -1.99004745483398, 0.99007225036621);
        return z;
    }

    private static void Biquad(double[] x, double[] y, double b0, double b1, double b2, double a1, double a2)
    {
        double x1 = 0, x2 = 0, y1 = 0, y2 = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double v = b0 * x[i] + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
            x2 = x1; x1 = x[i]; y2 = y1; y1 = v;
            y[i] = v;
        }
    }

    /// <summary>Applies the gain, then a look-ahead peak limiter (1 ms attack, 80 ms release) so no sample exceeds the ceiling.</summary>
    private static void Limit(float[] l, float[] r, double gain, double ceiling)
    {
        int n = l.Length, look = Rate / 1000;
        var need = new double[n];
        for (int i = 0; i < n; i++)
        {
            double p = Math.Max(Math.Abs(l[i]), Math.Abs(r[i])) * gain;
            need[i] = p > ceiling ? ceiling / p : 1;
        }
        // The gain at i is the smallest needed within the look-ahead window, released slowly afterwards.
        double g = 1, rel = 1 - Math.Exp(-1.0 / (0.080 * Rate));
        var window = new LinkedList<int>();
        for (int i = 0; i < n; i++)
        {
            int ahead = Math.Min(n - 1, i + look);
            while (window.Count > 0 && need[window.Last!.Value] >= need[ahead]) window.RemoveLast();
            window.AddLast(ahead);
            while (window.First!.Value < i) window.RemoveFirst();
            double target = need[window.First.Value];
            g = target < g ? target : g + (target - g) * rel;
            l[i] = (float)(l[i] * gain * g);
            r[i] = (float)(r[i] * gain * g);
        }
    }

    public static string Describe(MixStats s) => string.Create(CultureInfo.InvariantCulture,
        $"mix measured {s.MeasuredLufs:0.0} LUFS, gain {s.GainDb:+0.0;-0.0} dB, result {s.FinalLufs:0.0} LUFS, peak {s.PeakDbfs:0.0} dBFS");
}
