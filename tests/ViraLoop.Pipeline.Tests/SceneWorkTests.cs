using Microsoft.Extensions.DependencyInjection;
using ViraLoop.Grains;
using ViraLoop.Grains.Execution;
using ViraLoop.Grains.Messages;
using ViraLoop.Media;
using ViraLoop.Media.Speech;

namespace ViraLoop.Pipeline.Tests;

/// <summary>The scene cache (computed once, even concurrently), retries of cheap steps, and failures told in words.</summary>
public sealed class SceneWorkTests
{
    [Fact]
    public async Task TwoJobsWithTheSameScenes_StartedTogether_RenderEachSceneOnce()
    {
        var voice = new TestVoice();
        await using var vl = await Embedded.StartAsync(s => s.AddSingleton<ISpeechSynthesizer>(voice));
        var order = Embedded.ShortOrder("Why the sea is salty", seed: 3);
        var a = await JobWatch.StartAsync(vl, Embedded.NewKey("acme"));
        var b = await JobWatch.StartAsync(vl, Embedded.NewKey("globex"));
        await using var _a = a;
        await using var _b = b;
        await Task.WhenAll(a.Job.Submit(order), b.Job.Submit(order));
        var (doneA, doneB) = (await a.FinishedAsync(), await b.FinishedAsync());
        Assert.Equal(JobStatus.Completed, doneA.Status);
        Assert.Equal(JobStatus.Completed, doneB.Status);

        var scenes = doneA.Scenes.Count;
        // One visual per scene went to the GPU queue, not two; no voice was spoken twice (a voice respoken faster to fit
        // the length is a different voice).
        var dispatches = await vl.Grains.GetGrain<ISchedulerGrain>(SchedulerKeys.Gpu).GetDispatches();
        Assert.Equal(scenes, dispatches.Count);
        Assert.Equal(scenes, dispatches.Select(d => d.ItemId).Distinct().Count());
        Assert.Equal(voice.DistinctRequests, voice.Calls);
        Assert.InRange(voice.Calls, scenes, 2 * scenes);
        // Both jobs' previews are the same stored frames.
        Assert.Equal(doneA.Scenes.Select(s => s.PreviewKey), doneB.Scenes.Select(s => s.PreviewKey));
    }

    [Fact]
    public async Task AFinishedScene_IsServedFromTheCache_ForALaterJob()
    {
        var voice = new TestVoice();
        await using var vl = await Embedded.StartAsync(s => s.AddSingleton<ISpeechSynthesizer>(voice));
        var order = Embedded.ShortOrder("Why cats purr", seed: 9);
        var (first, _) = await vl.SubmitAsync(order);
        await using var _f = first;
        Assert.Equal(JobStatus.Completed, (await first.FinishedAsync()).Status);
        var calls = voice.Calls;
        var dispatches = (await vl.Grains.GetGrain<ISchedulerGrain>(SchedulerKeys.Gpu).GetDispatches()).Count;

        var (second, _) = await vl.SubmitAsync(order);
        await using var _s = second;
        Assert.Equal(JobStatus.Completed, (await second.FinishedAsync()).Status);
        Assert.Equal(calls, voice.Calls);
        Assert.Equal(dispatches, (await vl.Grains.GetGrain<ISchedulerGrain>(SchedulerKeys.Gpu).GetDispatches()).Count);
    }

    [Fact]
    public async Task ATransientVoiceFailure_IsRetried_AndTheJobCompletes()
    {
        var voice = new TestVoice { FailFirst = 2 };
        await using var vl = await Embedded.StartAsync(s => s.AddSingleton<ISpeechSynthesizer>(voice));
        var (watch, _) = await vl.SubmitAsync(Embedded.ShortOrder("Why leaves change colour"));
        await using var _w = watch;
        var done = await watch.FinishedAsync();
        Assert.True(done.Status == JobStatus.Completed, done.Error);
        Assert.True(voice.Calls >= done.Scenes.Count + 2, $"{voice.Calls} voice calls");
    }

    [Fact]
    public async Task AFailureThatRetryingCannotMend_FailsTheJob_SayingWhyInWords()
    {
        var voice = new TestVoice { AlwaysMissing = true };
        await using var vl = await Embedded.StartAsync(s => s.AddSingleton<ISpeechSynthesizer>(voice));
        var (watch, _) = await vl.SubmitAsync(Embedded.ShortOrder("Why snow is white"));
        await using var _w = watch;
        var done = await watch.FinishedAsync();
        Assert.Equal(JobStatus.Failed, done.Status);
        Assert.Contains("espeak-ng is not installed", done.Error);
        Assert.StartsWith("Scene ", done.Error);
        Assert.DoesNotContain("   at ", done.Error);
        Assert.Equal(JobStatus.Failed, watch.Events[^1].Status);
    }
}
