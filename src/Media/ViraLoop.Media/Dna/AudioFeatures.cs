namespace ViraLoop.Media.Dna;

/// <summary>
/// Loudness and tempo of mono PCM at <see cref="SampleRate"/>. Block (32): the mean and the standard deviation of the
/// short-term level (RMS over 100 ms windows in dBFS, windows above −60 dBFS) as soft one-hots of 8, a histogram of those
/// levels over 8 bins from −60 to 0 dBFS, and the tempo estimate on a log scale from 60 to 200 BPM (soft one-hot of 8,
/// scaled by the estimate's confidence). Tempo: an onset-strength envelope at 100 Hz (the rectified rise of the log energy
/// of the signal and of its first difference, minus its 0.5 s moving average), autocorrelated over lags of 40–240 BPM
/// with a log-normal preference around 120 BPM; the best lag, refined by a parabola, gives the BPM.
/// </summary>
public static class AudioFeatures
{
    public const int Length = 32;
    public const int SampleRate = 16000;
    private const int Hop = SampleRate / 100;
    private const int LevelWindow = SampleRate / 10;

    public sealed record Summary(double MeanDb, double StdDb, double Bpm, double TempoConfidence);

    public static Summary? Compute(ReadOnlySpan<short> pcm, Span<float> block)
    {
        if (block.Length != Length) throw new ArgumentException($"The audio block is {Length} long.", nameof(block));
        block.Clear();
        if (pcm.Length < LevelWindow) return null;

        // Short-term level.
        var levels = new List<double>();
        Span<float> hist = block.Slice(16, 8);
        for (int start = 0; start + LevelWindow <= pcm.Length; start += LevelWindow)
        {
            double e = 0;
            foreach (var s in pcm.Slice(start, LevelWindow)) e += (double)s * s;
            double db = 10 * Math.Log10(e / LevelWindow / (32768.0 * 32768.0) + 1e-12);
            if (db <= -60) continue;
            levels.Add(db);
            hist[Math.Clamp((int)((db + 60) / 60 * 8), 0, 7)]++;
        }
        if (levels.Count == 0) return null;
        double mean = levels.Average();
        double std = Math.Sqrt(levels.Sum(l => (l - mean) * (l - mean)) / levels.Count);
        DnaMath.SoftBin(block[..8], mean, -40, -5);
        DnaMath.SoftBin(block.Slice(8, 8), std, 0, 14);
        DnaMath.SqrtNormalize(hist);

        var (bpm, confidence) = Tempo(pcm);
        if (bpm > 0)
        {
            var tempo = block.Slice(24, 8);
            DnaMath.SoftBin(tempo, Math.Log2(bpm), Math.Log2(60), Math.Log2(200));
            float c = (float)Math.Clamp(confidence * 2, 0, 1);
            for (int i = 0; i < tempo.Length; i++) tempo[i] *= c;
        }
        for (int i = 0; i < block.Length; i++) block[i] *= 0.5f; // four unit sub-blocks, a quarter of the squared norm each
        return new Summary(mean, std, bpm, confidence);
    }

    /// <summary>The tempo in BPM and a confidence (the autocorrelation at the chosen lag over that at lag 0), or (0, 0).</summary>
    public static (double Bpm, double Confidence) Tempo(ReadOnlySpan<short> pcm)
    {
        int frames = pcm.Length / Hop;
        if (frames < 300) return (0, 0); // under 3 s
        var energy = new double[frames];
        var high = new double[frames];
        short prev = 0;
        for (int f = 0; f < frames; f++)
        {
            double e = 0, h = 0;
            foreach (var s in pcm.Slice(f * Hop, Hop))
            {
                e += (double)s * s;
                double d = s - prev;
                h += d * d;
                prev = s;
            }
            energy[f] = Math.Log(e / Hop + 1);
            high[f] = Math.Log(h / Hop + 1);
        }
        var onset = new double[frames];
        for (int f = 1; f < frames; f++) onset[f] = Math.Max(0, energy[f] - energy[f - 1]) + Math.Max(0, high[f] - high[f - 1]);
        // Minus a 0.5 s moving average, rectified: what stands out from the local level.
        const int half = 25;
        var strength = new double[frames];
        double window = 0;
        int lo = 0, hi = -1;
        for (int f = 0; f < frames; f++)
        {
            while (hi < Math.Min(frames - 1, f + half)) window += onset[++hi];
            while (lo < f - half) window -= onset[lo++];
            strength[f] = Math.Max(0, onset[f] - window / (hi - lo + 1));
        }
        double r0 = 0;
        foreach (var s in strength) r0 += s * s;
        if (r0 <= 0) return (0, 0);
        const int minLag = 25, maxLag = 150; // 240 and 40 BPM at 100 Hz
        var r = new double[maxLag + 2];
        for (int lag = minLag - 1; lag <= maxLag + 1; lag++)
        {
            double acc = 0;
            for (int f = lag; f < frames; f++) acc += strength[f] * strength[f - lag];
            r[lag] = acc * frames / (frames - lag);
        }
        int best = -1;
        double bestScore = double.NegativeInfinity;
        for (int lag = minLag; lag <= maxLag; lag++)
        {
            double octaves = Math.Log2(6000.0 / lag / 120);
            double score = r[lag] * Math.Exp(-0.5 * octaves * octaves);
            if (score > bestScore) (bestScore, best) = (score, lag);
        }
        double a = r[best - 1], b = r[best], c = r[best + 1];
        double denom = a - 2 * b + c;
        double offset = denom < 0 ? Math.Clamp(0.5 * (a - c) / denom, -0.5, 0.5) : 0;
        return (6000.0 / (best + offset), Math.Clamp(b / r0, 0, 1));
    }
}
