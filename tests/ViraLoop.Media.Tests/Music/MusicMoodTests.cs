using ViraLoop.Media.Music;

namespace ViraLoop.Media.Tests.Music;

/// <summary>Two moods give measurably different music: measured on the written files, decoded by ffmpeg.</summary>
public sealed class MusicMoodTests
{
    private const int Rate = 22050, Frame = 512, Hop = 256;

    [Fact]
    public async Task CalmAndPlayful_DifferInTempo_OnsetRate_AndBrightness()
    {
        var calm = await MeasureAsync("calm");
        var playful = await MeasureAsync("playful");
        // Each track's onsets repeat at its own beat (74 vs 124 bpm), not at the other's: autocorrelation of the onset
        // strength at the two beat periods.
        Assert.True(calm.AcAt(60 / 74.0) > calm.AcAt(60 / 124.0) + 0.05,
            $"calm: autocorrelation {calm.AcAt(60 / 74.0):0.00} at its beat vs {calm.AcAt(60 / 124.0):0.00} at playful's");
        Assert.True(playful.AcAt(60 / 124.0) > playful.AcAt(60 / 74.0) + 0.05,
            $"playful: autocorrelation {playful.AcAt(60 / 124.0):0.00} at its beat vs {playful.AcAt(60 / 74.0):0.00} at calm's");
        // More onsets per second (drums, faster eighths).
        Assert.True(playful.OnsetsPerSecond > calm.OnsetsPerSecond * 1.3, $"onsets/s: playful {playful.OnsetsPerSecond:0.0}, calm {calm.OnsetsPerSecond:0.0}");
        // A spikier energy envelope (percussive): the frame energies spread more around their mean.
        Assert.True(playful.EnvelopeSpreadDb > calm.EnvelopeSpreadDb * 1.15, $"envelope spread: playful {playful.EnvelopeSpreadDb:0.0} dB, calm {calm.EnvelopeSpreadDb:0.0} dB");
    }

    [Fact]
    public async Task EveryMood_BeatsAtItsOwnTempo_NotAtAnotherMoods()
    {
        // All four moods, measured on their written tracks: each one's onsets repeat at its own beat period more than at the
        // beat period of any other mood, so no two moods share a tempo (74, 88, 112, 124 bpm).
        var measured = new Dictionary<string, Measures>();
        foreach (var mood in MusicSpec.Moods) measured[mood] = await MeasureAsync(mood);
        var beats = MusicSpec.Moods.ToDictionary(m => m, m => 60 / MusicSpec.ForMood(m, 1).Bpm);
        var table = string.Join("; ", MusicSpec.Moods.Select(track =>
            $"{track}: " + string.Join(" ", MusicSpec.Moods.Select(at => $"{at} {measured[track].AcAt(beats[at]):0.00}"))));
        foreach (var track in MusicSpec.Moods)
            foreach (var other in MusicSpec.Moods.Where(o => o != track))
                Assert.True(measured[track].AcAt(beats[track]) > measured[track].AcAt(beats[other]) + 0.25,
                    $"{track} does not beat at its own tempo more than at {other}'s; autocorrelation at each mood's beat: {table}");
    }

    private sealed record Measures(double[] Onset, double OnsetsPerSecond, double EnvelopeSpreadDb)
    {
        /// <summary>Normalised autocorrelation of the onset strength at a lag in seconds (best of the nearest frames).</summary>
        public double AcAt(double seconds)
        {
            double mean = Onset.Average();
            var x = Onset.Select(v => v - mean).ToArray();
            double zero = x.Sum(v => v * v);
            int lag = (int)Math.Round(seconds * Rate / Hop);
            return Enumerable.Range(lag - 1, 3).Max(l => Enumerable.Range(0, x.Length - l).Sum(i => x[i] * x[i + l]) / zero);
        }
    }

    private static async Task<Measures> MeasureAsync(string mood)
    {
        var path = Path.Combine(Path.GetTempPath(), $"music-{mood}-{Guid.NewGuid():N}.wav");
        MusicSynthesizer.Generate(MusicSpec.ForMood(mood, 1), 8, 48000, 1).Write(path);
        float[] s;
        try { s = await MediaProbe.DecodeMonoAsync(path, Rate); }
        finally { File.Delete(path); }
        Assert.True(s.Length > Rate * 7.5, $"{mood}: only {s.Length / (double)Rate:0.0} s written");
        // Skip the fade-in and the 1 s fade-out.
        var frames = new List<double>();
        for (int a = Rate / 4; a + Frame < s.Length - Rate; a += Hop)
            frames.Add(10 * Math.Log10(1e-10 + Enumerable.Range(a, Frame).Average(i => (double)s[i] * s[i])));
        var onset = new double[frames.Count];
        for (int i = 1; i < frames.Count; i++) onset[i] = Math.Max(0, frames[i] - frames[i - 1]);
        // An onset: a local maximum of the rise in level of at least 1.5 dB per frame, 60 ms at least after the previous one.
        int count = 0, last = -100, gap = (int)(0.06 * Rate / Hop);
        for (int i = 1; i < onset.Length - 1; i++)
            if (onset[i] >= 1.5 && onset[i] >= onset[i - 1] && onset[i] >= onset[i + 1] && i - last >= gap) { count++; last = i; }
        double mean = frames.Average();
        double spread = Math.Sqrt(frames.Average(f => (f - mean) * (f - mean)));
        return new Measures(onset, count / (frames.Count * (double)Hop / Rate), spread);
    }
}
