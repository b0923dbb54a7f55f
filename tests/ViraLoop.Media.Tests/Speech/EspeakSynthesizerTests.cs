using ViraLoop.Media.Speech;

namespace ViraLoop.Media.Tests.Speech;

public sealed class EspeakSynthesizerTests
{
    [Theory]
    [InlineData("en", "Octopuses have three hearts and blue blood.")]
    [InlineData("pl", "Ośmiornice mają trzy serca i niebieską krew.")]
    public async Task Synthesize_GivesTrimmedVoice_WithOrderedWordTimes(string lang, string text)
    {
        var path = Path.Combine(Path.GetTempPath(), $"voice-{Guid.NewGuid():N}.wav");
        var r = await new EspeakSynthesizer().SynthesizeAsync(new SpeechRequest(text, lang), path);
        try
        {
            // Duration and silences measured on the written file by ffprobe and ffmpeg's silencedetect, not by our own WAV reader.
            double duration = MediaProbe.Duration(await MediaProbe.ProbeAsync(path));
            Assert.InRange(duration, 1.0, 6.0);
            Assert.Equal(duration, r.DurationSeconds, 2);
            var silences = await SilencesAsync(path);
            Assert.DoesNotContain(silences, s => s.Start < 0.05 && s.End > 0.1); // no leading silence longer than 0.1 s
            Assert.DoesNotContain(silences, s => s.End >= duration - 0.01 && duration - s.Start > 0.2); // trailing silence trimmed
            Assert.Equal(text.Split(' ').Length, r.Words.Count);
            for (int i = 1; i < r.Words.Count; i++) Assert.True(r.Words[i].Start >= r.Words[i - 1].End - 0.001);
            Assert.True(r.Words[^1].End <= duration + 0.01);
            Assert.Equal(lang == "pl" ? "pl" : "en-us", r.Voice);
        }
        finally { File.Delete(path); }
    }

    /// <summary>Silent stretches (below −45 dBFS for 0.1 s or more) as ffmpeg's silencedetect finds them.</summary>
    private static async Task<List<(double Start, double End)>> SilencesAsync(string file)
    {
        var r = await Tools.RunAsync(Tools.Ffmpeg, ["-hide_banner", "-nostats", "-i", file, "-af", "silencedetect=n=-45dB:d=0.1", "-f", "null", "-"]);
        var starts = System.Text.RegularExpressions.Regex.Matches(r.StdErr, @"silence_start: (-?[\d.]+)").Select(m => double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var ends = System.Text.RegularExpressions.Regex.Matches(r.StdErr, @"silence_end: ([\d.]+)").Select(m => double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        return starts.Select((s, i) => (Math.Max(0, s), i < ends.Count ? ends[i] : double.MaxValue)).ToList();
    }

    [Fact]
    public async Task Synthesize_Faster_IsShorter()
    {
        var a = Path.GetTempFileName();
        var b = Path.GetTempFileName();
        const string text = "The quick brown fox jumps over the lazy dog near the river bank.";
        await new EspeakSynthesizer().SynthesizeAsync(new SpeechRequest(text, "en", 1.0), a);
        await new EspeakSynthesizer().SynthesizeAsync(new SpeechRequest(text, "en", 1.4), b);
        double normal = MediaProbe.Duration(await MediaProbe.ProbeAsync(a)), fast = MediaProbe.Duration(await MediaProbe.ProbeAsync(b));
        Assert.True(fast < normal * 0.85, $"{fast} s vs {normal} s");
        File.Delete(a);
        File.Delete(b);
    }
}
