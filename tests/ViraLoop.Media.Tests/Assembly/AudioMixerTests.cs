using ViraLoop.Media.Assembly;
using ViraLoop.Media.Speech;

namespace ViraLoop.Media.Tests.Assembly;

public sealed class AudioMixerTests
{
    private static short[] Sine(int rate, double seconds, double freq, double amp) =>
        Enumerable.Range(0, (int)(rate * seconds)).Select(i => (short)(amp * 32767 * Math.Sin(2 * Math.PI * freq * i / rate))).ToArray();

    /// <summary>Amplitude of one frequency in a window of the left channel (Goertzel).</summary>
    private static double Level(WavFile wav, double from, double to, double freq)
    {
        int a = (int)(from * wav.SampleRate), b = (int)(to * wav.SampleRate);
        double w = 2 * Math.PI * freq / wav.SampleRate, coeff = 2 * Math.Cos(w), s1 = 0, s2 = 0;
        for (int i = a; i < b; i++)
        {
            double s = wav.Samples[i * wav.Channels] / 32768.0 + coeff * s1 - s2;
            s2 = s1;
            s1 = s;
        }
        return Math.Sqrt(s1 * s1 + s2 * s2 - coeff * s1 * s2) / (b - a);
    }

    [Fact]
    public async Task Mix_DucksMusicUnderTheVoice_AndHitsTheLoudnessTarget()
    {
        // Voice: a 1 kHz tone from 2 s to 4 s. Music: a steady 110 Hz tone for 6 s.
        var voice = new WavFile(22050, 1, Sine(22050, 2, 1000, 0.3));
        var music = new WavFile(48000, 2, Sine(48000, 6, 110, 0.3).SelectMany(s => new[] { s, s }).ToArray());
        var (wav, stats) = AudioMixer.Mix([(voice, 2.0)], music, 6);

        double musicAlone = Level(wav, 0.5, 1.5, 110);
        double musicUnderVoice = Level(wav, 2.6, 3.6, 110);
        double duckDb = 20 * Math.Log10(musicUnderVoice / musicAlone);
        Assert.True(duckDb < -8, $"music is ducked by only {duckDb:0.0} dB under the voice");
        Assert.True(Level(wav, 2.6, 3.6, 1000) > 3 * musicUnderVoice, "the voice dominates while it speaks");
        // Loudness, peak and length measured on the written file with ffmpeg's EBU R128 meter and ffprobe, not read from the stats.
        var path = Path.Combine(Path.GetTempPath(), $"mix-{Guid.NewGuid():N}.wav");
        wav.Write(path);
        try
        {
            var (integrated, truePeak) = await MediaProbe.LoudnessAsync(path);
            Assert.InRange(integrated, -14.5, -13.5);
            Assert.True(truePeak <= -1.0, $"true peak {truePeak} dBTP");
            var probe = await MediaProbe.ProbeAsync(path);
            var a = MediaProbe.Stream(probe, "audio");
            Assert.Equal("48000", a.GetProperty("sample_rate").GetString());
            Assert.Equal(2, a.GetProperty("channels").GetInt32());
            Assert.Equal(6.0, MediaProbe.Duration(probe), 3);
            // The mixer's own report agrees with the meter.
            Assert.InRange(stats.FinalLufs - integrated, -0.5, 0.5);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void IntegratedLoudness_OfAFullScaleSine_MatchesTheBs1770Reference()
    {
        // BS.1770 calibration: a 0 dBFS 997 Hz sine in one channel reads −3.01 LUFS, so in both channels about 0 LUFS.
        var s = Enumerable.Range(0, 48000 * 5).Select(i => (float)Math.Sin(2 * Math.PI * 997 * i / 48000)).ToArray();
        double lufs = AudioMixer.IntegratedLoudness(s, s);
        Assert.InRange(lufs, -0.2, 0.8);
    }
}
