using ViraLoop.Media.Pipeline.Steps;
using ViraLoop.Media.Speech;

namespace ViraLoop.Media.Tests.Pipeline.Steps;

public sealed class SceneVoiceStepTests
{
    [Fact]
    public async Task RunAsync_Narration_WritesVoiceFileWithItsMeasuredDurationAndEveryWordTimed()
    {
        using var media = new StepTestMedia();
        const string text = "Octopuses have three hearts and blue blood.";
        var r = await new SceneVoiceStep(new EspeakSynthesizer()).RunAsync(new SceneVoiceSpec(2, text, "en", 1.0, media.PathOf("sub/voice-2.wav")));
        Assert.Equal(2, r.SceneIndex);
        Assert.Equal(media.PathOf("sub/voice-2.wav"), r.AudioPath);
        double measured = MediaProbe.Duration(await MediaProbe.ProbeAsync(r.AudioPath)); // ffprobe, not our own reader
        Assert.Equal(measured, r.DurationSeconds, 2);
        Assert.Equal(text.Split(' '), r.Words.Select(w => w.Word));
        Assert.True(r.Words[^1].End <= measured + 0.01);
        Assert.Equal("en-us", r.Voice);
    }

    [Fact]
    public async Task RunAsync_FasterSpeed_ShorterVoice_SameInputSameBytes()
    {
        using var media = new StepTestMedia();
        var step = new SceneVoiceStep(new EspeakSynthesizer());
        const string text = "Ośmiornice mają trzy serca i niebieską krew.";
        var normal = await step.RunAsync(new SceneVoiceSpec(0, text, "pl", 1.0, media.PathOf("a.wav")));
        var again = await step.RunAsync(new SceneVoiceSpec(0, text, "pl", 1.0, media.PathOf("b.wav")));
        var fast = await step.RunAsync(new SceneVoiceSpec(0, text, "pl", 1.4, media.PathOf("c.wav")));
        Assert.Equal(await File.ReadAllBytesAsync(normal.AudioPath), await File.ReadAllBytesAsync(again.AudioPath));
        Assert.Equal(normal.Words, again.Words);
        // Lengths of the written files as ffprobe measures them.
        double normalSeconds = MediaProbe.Duration(await MediaProbe.ProbeAsync(normal.AudioPath));
        double fastSeconds = MediaProbe.Duration(await MediaProbe.ProbeAsync(fast.AudioPath));
        Assert.True(fastSeconds < normalSeconds * 0.85, $"x1.4 took {fastSeconds:0.00} s, normal {normalSeconds:0.00} s");
        Assert.Equal(fastSeconds, fast.DurationSeconds, 2);
        Assert.Equal(1.4, fast.Speed);
    }

    [Fact]
    public async Task RunAsync_EmptyNarration_ThrowsMediaInputException()
    {
        using var media = new StepTestMedia();
        await Assert.ThrowsAsync<MediaInputException>(() =>
            new SceneVoiceStep(new EspeakSynthesizer()).RunAsync(new SceneVoiceSpec(0, "  ", "en", 1.0, media.PathOf("x.wav"))));
    }
}
