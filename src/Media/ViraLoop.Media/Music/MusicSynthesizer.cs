using ViraLoop.Media.Speech;

namespace ViraLoop.Media.Music;

/// <summary>A background track described by its mood: tempo, key, mode, chord progression and instruments.</summary>
public sealed record MusicSpec(string Mood, double Bpm, int KeyMidi, bool Minor, int[] Progression, bool Drums, bool Arpeggio)
{
    public static readonly string[] Moods = ["upbeat", "calm", "dramatic", "playful"];

    public static MusicSpec ForMood(string mood, int seed) => mood.ToLowerInvariant() switch
    {
        "upbeat" => new("upbeat", 112, 57 + seed % 5, false, [0, 7, 9, 5], true, true),     // I–V–vi–IV
        "calm" => new("calm", 74, 55 + seed % 5, false, [0, 9, 5, 7], false, true),          // I–vi–IV–V
        "dramatic" => new("dramatic", 88, 52 + seed % 5, true, [0, 8, 3, 10], true, false),  // i–VI–III–VII
        "playful" => new("playful", 124, 60 + seed % 5, false, [0, 5, 7, 5], true, true),    // I–IV–V–IV
        _ => throw new MediaInputException($"Unknown music mood '{mood}'. Known: {string.Join(", ", Moods)}."),
    };
}

/// <summary>Synthesizes the background track offline: pad chords, bass, an arpeggio and light drums.</summary>
public static class MusicSynthesizer
{
    public static WavFile Generate(MusicSpec spec, double seconds, int sampleRate = 48000, int seed = 1)
    {
        int n = (int)(seconds * sampleRate);
        var left = new float[n];
        var right = new float[n];
        double beat = 60.0 / spec.Bpm, bar = beat * 4;
        var rng = new Random(seed);
        for (int i = 0; i < n; i++)
        {
            double t = (double)i / sampleRate;
            int barIndex = (int)(t / bar);
            int degree = spec.Progression[barIndex % spec.Progression.Length];
            bool minorChord = spec.Minor ? degree is 0 or 5 : degree is 9 or 2 or 4;
            int root = spec.KeyMidi + degree;
            double tb = t % bar, tbeat = t % beat;

            // Pad: root, third, fifth with two harmonics, slow swell each bar.
            double env = Math.Min(1, tb / 0.6) * (0.75 + 0.25 * Math.Cos(2 * Math.PI * tb / bar));
            double pad = 0;
            foreach (var iv in minorChord ? MinorTriad : MajorTriad)
            {
                double f = Freq(root + iv);
                pad += Osc(f * t) + 0.3 * Osc(f * 2.003 * t) + 0.12 * Osc(f * 3.01 * t);
            }
            pad *= 0.045 * env;

            // Bass: root an octave down on every beat, plucked.
            double bass = 0.22 * Math.Exp(-tbeat * 3.5) * (Osc(Freq(root - 12) * t) + 0.35 * Osc(Freq(root) * t));

            // Arpeggio: chord tones in eighth notes.
            double arp = 0;
            if (spec.Arpeggio)
            {
                double eighth = beat / 2;
                int step = (int)(t / eighth);
                int[] tones = [0, minorChord ? 3 : 4, 7, 12];
                double te = t % eighth;
                arp = 0.09 * Math.Exp(-te * 9) * Osc(Freq(root + 12 + tones[step % 4]) * t);
            }

            // Drums: kick on beats 1 and 3 (every beat when upbeat), hat on the off-beats.
            double drums = 0;
            if (spec.Drums)
            {
                int beatInBar = (int)(tb / beat);
                if (spec.Bpm > 100 || beatInBar % 2 == 0)
                {
                    double k = tbeat;
                    drums += 0.5 * Math.Exp(-k * 18) * Osc((50 + 90 * Math.Exp(-k * 30)) * k);
                }
                double off = (t + beat / 2) % beat;
                drums += 0.05 * Math.Exp(-off * 60) * (rng.NextDouble() * 2 - 1);
            }

            double pan = 0.15 * Math.Sin(t * 0.5);
            double mono = pad + bass + drums;
            left[i] = (float)(mono + arp * (0.6 + pan));
            right[i] = (float)(mono + arp * (0.6 - pan));
        }
        // Fades and level: a quick fade in (the hook must not start from silence), a 1 s fade out, about -18 dBFS RMS.
        double sum = 0;
        for (int i = 0; i < n; i++) sum += left[i] * left[i] + right[i] * right[i];
        double rms = Math.Sqrt(sum / Math.Max(1, 2 * n));
        double gain = rms > 0 ? 0.125 / rms : 0;
        int fadeIn = Math.Min(n, sampleRate / 5), fadeOut = Math.Min(n, sampleRate);
        var samples = new short[2 * n];
        for (int i = 0; i < n; i++)
        {
            double g = gain * Math.Min(1, (double)i / fadeIn) * Math.Min(1, (double)(n - i) / fadeOut);
            samples[2 * i] = (short)Math.Clamp(left[i] * g * 32767, -32767, 32767);
            samples[2 * i + 1] = (short)Math.Clamp(right[i] * g * 32767, -32767, 32767);
        }
        return new WavFile(sampleRate, 2, samples);
    }

    private static readonly int[] MajorTriad = [0, 4, 7, 12], MinorTriad = [0, 3, 7, 12];

    private static readonly double[] FreqTable = Enumerable.Range(0, 128).Select(m => 440 * Math.Pow(2, (m - 69) / 12.0)).ToArray();

    private static double Freq(int midi) => FreqTable[Math.Clamp(midi, 0, 127)];

    private const int TableSize = 4096;
    private static readonly double[] SineTable = Enumerable.Range(0, TableSize + 1).Select(i => Math.Sin(2 * Math.PI * i / TableSize)).ToArray();

    /// <summary>sin(2π·cycles) from a table with linear interpolation (the synthesizer calls it millions of times).</summary>
    private static double Osc(double cycles)
    {
        double p = (cycles - Math.Floor(cycles)) * TableSize;
        int i = (int)p;
        return SineTable[i] + (SineTable[i + 1] - SineTable[i]) * (p - i);
    }
}
