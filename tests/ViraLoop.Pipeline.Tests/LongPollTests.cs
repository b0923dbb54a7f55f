using System.Diagnostics;
using ViraLoop.Grains.Messages;

namespace ViraLoop.Pipeline.Tests;

/// <summary>The job's long poll (the feed's second path beside the stream): it waits while nothing happens and answers as soon as the job publishes.</summary>
public sealed class LongPollTests
{
    [Fact]
    public async Task WaitForEventsSince_WaitsWhileTheJobRests_AndAnswersWhenItPublishes()
    {
        await using var vl = await Embedded.StartAsync();
        var (watch, _) = await vl.SubmitAsync(Embedded.ShortOrder() with { RequireApproval = true });
        await using var _w = watch;
        await watch.WaitForAsync(e => e.Status == JobStatus.AwaitingApproval, "the job to wait for approval");
        var held = await watch.Job.GetEventsSince(0);
        var last = held.Events[^1].Sequence;

        // Nothing newer: the call waits (the job publishes nothing while it waits for approval).
        var clock = Stopwatch.StartNew();
        var waiting = watch.Job.WaitForEventsSince(last, TimeSpan.FromSeconds(5));
        Assert.False(waiting.IsCompleted);
        await watch.Job.Approve();
        var answer = await waiting.WaitAsync(TimeSpan.FromSeconds(4));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4), $"answered when the job published, not at the end of the wait ({clock.Elapsed})");
        Assert.NotEmpty(answer.Events);
        Assert.All(answer.Events, e => Assert.True(e.Sequence > last));
        Assert.Equal(JobStatus.Scenes, answer.Events[0].Status);

        // Something newer held already: answered at once. A finished job: answered at once whatever the wait.
        Assert.NotEmpty((await watch.Job.WaitForEventsSince(0, TimeSpan.FromSeconds(5))).Events);
        var done = await watch.FinishedAsync();
        var final = await watch.Job.WaitForEventsSince(long.MaxValue - 1, TimeSpan.FromSeconds(5)).WaitAsync(TimeSpan.FromSeconds(2));
        Assert.Equal(done.Status, final.Snapshot.Status);
    }
}
