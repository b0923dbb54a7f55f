using ViraLoop.Media.Pipeline.Steps;
using ViraLoop.Media.Speech;
using ViraLoop.Media.Writing;

namespace ViraLoop.Media.Tests.Pipeline.Steps;

public sealed class TimelineStepTests
{
    private static readonly VideoRequest Request = new() { Topic = "Why octopuses are smart", DurationSeconds = 20, Seed = 7 };

    private static TimelineSpec Spec(VideoRequest request, double[] voiceSeconds, double speed = 1.0)
    {
        var script = TemplateScriptWriter.Write(request);
        var voices = script.Scenes.Select(s => new SceneVoiceResult(s.Index, $"voice-{s.Index}.wav", voiceSeconds[s.Index % voiceSeconds.Length],
            [new WordTiming("a", 0.0, 0.2), new WordTiming("b", 0.3, voiceSeconds[s.Index % voiceSeconds.Length] - 0.05)], "en-us", speed)).ToList();
        return new TimelineSpec(request, script, voices, request.Seed!.Value);
    }

    [Fact]
    public void Run_VoicesShorterThanTarget_ScenesBackToBackFillTheTarget_HookStaysTight()
    {
        var spec = Spec(Request, [1.5]);
        var r = new TimelineStep().Run(spec);
        Assert.False(r.NeedsRespeak);
        Assert.Equal(20, r.DurationSeconds, 2);
        Assert.Equal(0, r.Scenes[0].Start);
        for (int i = 1; i < r.Scenes.Count; i++) Assert.Equal(r.Scenes[i - 1].End, r.Scenes[i].Start, 2);
        Assert.Equal(1.5 + TimelineStep.HookGap, r.Scenes[0].Duration, 3); // the hook keeps its voice plus the short gap
        Assert.All(r.Scenes.Skip(1), s => Assert.True(s.Duration > 1.5 + TimelineStep.SceneGap, $"body scene of {s.Duration} s got no spare time"));
        Assert.Empty(r.Notes);
        Assert.Equal(spec.Voices[1].Words, r.Scenes[1].Words);
    }

    [Fact]
    public void Run_VoicesTooLongAtNormalSpeed_AsksToRespeakFasterWithinTheLimit()
    {
        var spec = Spec(Request with { DurationSeconds = 8 }, [3.0]);
        var r = new TimelineStep().Run(spec);
        Assert.True(r.NeedsRespeak);
        Assert.Empty(r.Scenes);
        Assert.InRange(r.RespeakSpeed!.Value, 1.02, TimelineStep.MaxSpeed);
        double gaps = TimelineStep.HookGap + TimelineStep.SceneGap * (spec.Script.Scenes.Count - 1);
        double wanted = spec.Voices.Sum(v => v.DurationSeconds) / (8 - gaps);
        Assert.Equal(Math.Min(TimelineStep.MaxSpeed, wanted), r.RespeakSpeed.Value, 6);
    }

    [Fact]
    public void Run_VoicesAlreadyRespoken_PlansWithoutAskingAgain_AndSaysSo()
    {
        var spec = Spec(Request with { DurationSeconds = 8 }, [3.0], speed: 1.45);
        var r = new TimelineStep().Run(spec);
        Assert.False(r.NeedsRespeak);
        Assert.Contains(r.Notes, n => n.StartsWith("voice speed x1", StringComparison.Ordinal) && n.Contains("to fit 8 s"));
        // Still too long: the video runs longer rather than dropping words, and the notes say so.
        Assert.Contains(r.Notes, n => n.Contains("longer than the requested 8 s"));
        Assert.True(r.DurationSeconds > 8);
    }

    [Fact]
    public void Run_SceneListWithDurations_UsesThemAsTheTimeline()
    {
        var request = new VideoRequest
        {
            Topic = "Coffee", Seed = 5, DurationSeconds = 30,
            Scenes = [new SceneInput { Text = "Coffee wakes you up.", Duration = 3 }, new SceneInput { Text = "It blocks adenosine.", Duration = 4 }],
        };
        var r = new TimelineStep().Run(Spec(request, [1.0]));
        Assert.Equal(7, r.DurationSeconds, 2); // not the default 30 s
        Assert.True(r.Scenes.All(s => s.Duration >= 3));
    }

    [Fact]
    public void Run_SameInput_SameTimeline()
    {
        var spec = Spec(Request, [1.2, 2.3, 0.9]);
        var a = new TimelineStep().Run(spec);
        var b = new TimelineStep().Run(spec with { Voices = spec.Voices.ToList() });
        Assert.Equal(a.DurationSeconds, b.DurationSeconds);
        Assert.Equal(a.Scenes.Select(s => (s.Start, s.Duration, s.Style)), b.Scenes.Select(s => (s.Start, s.Duration, s.Style)));
    }

    [Fact]
    public void Run_VoicesOutOfOrder_Throws()
    {
        var spec = Spec(Request, [1.5]);
        var reversed = spec with { Voices = spec.Voices.Reverse().ToList() };
        Assert.Throws<ArgumentException>(() => new TimelineStep().Run(reversed));
        Assert.Throws<ArgumentException>(() => new TimelineStep().Run(spec with { Voices = spec.Voices.Skip(1).ToList() }));
    }
}
