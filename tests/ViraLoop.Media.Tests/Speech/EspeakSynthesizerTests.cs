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
            var wav = WavFile.Read(path);
            Assert.InRange(wav.DurationSeconds, 1.0, 6.0);
            var (start, end) = wav.VoicedSpan();
            Assert.True(start < 0.1, $"leading silence {start}");
            Assert.True(wav.DurationSeconds - end < 0.2, "trailing silence is trimmed");
            Assert.Equal(text.Split(' ').Length, r.Words.Count);
            for (int i = 1; i < r.Words.Count; i++) Assert.True(r.Words[i].Start >= r.Words[i - 1].End - 0.001);
            Assert.True(r.Words[^1].End <= r.DurationSeconds + 0.01);
            Assert.Equal(lang == "pl" ? "pl" : "en-us", r.Voice);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public async Task Synthesize_Faster_IsShorter()
    {
        var a = Path.GetTempFileName();
        var b = Path.GetTempFileName();
        const string text = "The quick brown fox jumps over the lazy dog near the river bank.";
        var normal = await new EspeakSynthesizer().SynthesizeAsync(new SpeechRequest(text, "en", 1.0), a);
        var fast = await new EspeakSynthesizer().SynthesizeAsync(new SpeechRequest(text, "en", 1.4), b);
        Assert.True(fast.DurationSeconds < normal.DurationSeconds * 0.85, $"{fast.DurationSeconds} vs {normal.DurationSeconds}");
        File.Delete(a);
        File.Delete(b);
    }
}
