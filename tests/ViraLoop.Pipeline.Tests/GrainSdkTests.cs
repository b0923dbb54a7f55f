using ViraLoop.Grains;
using ViraLoop.Grains.Messages;

namespace ViraLoop.Pipeline.Tests;

/// <summary>The grain client SDK's typed methods on an embedded silo: submit (idempotent), watch to the end, list, get.</summary>
public sealed class GrainSdkTests
{
    [Fact]
    public async Task Submit_Watch_List_Get_ThroughTheTypedMethods()
    {
        await using var vl = await Embedded.StartAsync();
        var videos = vl.Videos("sdk-tenant");
        var order = new VideoOrder { Topic = "Why leaves change colour", DurationSeconds = 5, Preview = true, Seed = 11 };

        var job = await videos.SubmitAsync(order, idempotencyKey: "k1");
        Assert.Equal(job.JobId, (await videos.SubmitAsync(order, idempotencyKey: "k1")).JobId);
        await Assert.ThrowsAsync<ArgumentException>(() => videos.SubmitAsync(order with { DurationSeconds = 900 }));

        var events = new List<JobProgress>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(180));
        await foreach (var e in videos.WatchAsync(job.JobId, ct: timeout.Token)) events.Add(e);
        Assert.Equal(JobStatus.Completed, events[^1].Status);
        Assert.Equal(events.Select(e => e.Sequence).Distinct().Order(), events.Select(e => e.Sequence));

        // The job's own record of what it published: all of it (it never moved), the same as watched.
        var replay = await vl.Grains.GetGrain<IVideoJobGrain>(JobKeys.Of("sdk-tenant", job.JobId)).GetEventsSince(0);
        Assert.True(replay.Complete);
        Assert.Equal(events.Select(e => e.Sequence), replay.Events.Select(e => e.Sequence));
        var tail = await vl.Grains.GetGrain<IVideoJobGrain>(JobKeys.Of("sdk-tenant", job.JobId)).GetEventsSince(events[^3].Sequence);
        Assert.True(tail.Complete);
        Assert.Equal(events.TakeLast(2).Select(e => e.Sequence), tail.Events.Select(e => e.Sequence));

        var listed = await videos.ListAsync();
        Assert.Equal([job.JobId], listed.Select(j => j.JobId));
        Assert.Equal(JobStatus.Completed, (await videos.GetAsync(job.JobId)).Status);
        await Assert.ThrowsAsync<KeyNotFoundException>(() => vl.Videos("another-tenant").GetAsync(job.JobId));
    }
}
