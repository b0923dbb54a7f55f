using Microsoft.Extensions.DependencyInjection;
using ViraLoop.Grains;
using ViraLoop.Grains.Execution;
using ViraLoop.Grains.Messages;
using ViraLoop.Media;
using ViraLoop.Media.Speech;
using ViraLoop.Media.Writing;

namespace ViraLoop.Pipeline.Tests;

/// <summary>Approval, rejection, cancel in each state, and bad input refused at the grain boundary with nothing half-created.</summary>
public sealed class JobControlTests
{
    [Fact]
    public async Task Approval_TheJobWaits_ThenGoesOnWithTheEditedScript()
    {
        await using var vl = await Embedded.StartAsync();
        var (watch, _) = await vl.SubmitAsync(Embedded.ShortOrder() with { RequireApproval = true });
        await using var _w = watch;
        await watch.WaitForAsync(e => e.Status == JobStatus.AwaitingApproval, "the job to wait for approval");
        var waiting = await watch.Job.GetSnapshot();
        Assert.Equal(JobStatus.AwaitingApproval, waiting.Status);
        Assert.DoesNotContain(watch.Events, e => e.Status == JobStatus.Scenes); // nothing voiced before the approval

        var script = (await watch.Job.GetScript())!;
        var edited = script with { Scenes = script.Scenes.Select((s, i) => i == 1 ? s with { Narration = "Octopuses taste with their arms." } : s).ToList() };
        await watch.Job.Approve(edited);
        var done = await watch.FinishedAsync();
        Assert.Equal(JobStatus.Completed, done.Status);
        var manifest = await File.ReadAllTextAsync(await vl.PathOfAsync(done.Outputs["manifest"]));
        Assert.Contains("Octopuses taste with their arms.", manifest);
        var captions = await File.ReadAllTextAsync(await vl.PathOfAsync(done.Outputs["captions"]));
        Assert.Contains("arms", captions, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task AJob_SurvivesARestartOfTheEmbeddedSilo_AndFinishesFromWhereItStood()
    {
        var dir = Directory.CreateTempSubdirectory("vl-restart-").FullName;
        var key = Embedded.NewKey();
        Script script;
        await using (var first = await Embedded.StartAsync(directory: dir))
        {
            var (watch, _) = await first.SubmitAsync(Embedded.ShortOrder() with { RequireApproval = true }, key);
            await using var _w = watch;
            await watch.WaitForAsync(e => e.Status == JobStatus.AwaitingApproval, "the job to wait for approval");
            script = (await watch.Job.GetScript())!;
        }
        await using var second = await Embedded.StartAsync(directory: dir);
        await using var again = await JobWatch.StartAsync(second, key);
        var restored = await again.Job.GetSnapshot();
        Assert.Equal(JobStatus.AwaitingApproval, restored.Status);
        Assert.Equal(script.Title, (await again.Job.GetScript())!.Title);
        await again.Job.Approve();
        var done = await again.FinishedAsync();
        Assert.True(done.Status == JobStatus.Completed, done.Error);
    }

    [Fact]
    public async Task Rejection_EndsTheJobWithTheReason_AndApprovingLaterIsRefused()
    {
        await using var vl = await Embedded.StartAsync();
        var (watch, _) = await vl.SubmitAsync(Embedded.ShortOrder() with { RequireApproval = true });
        await using var _w = watch;
        await watch.WaitForAsync(e => e.Status == JobStatus.AwaitingApproval, "the job to wait for approval");
        await Assert.ThrowsAsync<ArgumentException>(() => watch.Job.Reject("  "));
        var rejected = await watch.Job.Reject("off brand");
        Assert.Equal(JobStatus.Cancelled, rejected.Status);
        Assert.Contains("off brand", rejected.Error);
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => watch.Job.Approve());
        Assert.Contains("not waiting for approval", e.Message);
    }

    [Fact]
    public async Task Cancel_WhileTheScriptIsWritten_EndsTheJob_AndNothingIsVoiced()
    {
        var gate = new Gate();
        var writer = new GatedWriter(gate);
        var voice = new TestVoice();
        await using var vl = await Embedded.StartAsync(s => { s.AddSingleton<IScriptWriter>(writer); s.AddSingleton<ISpeechSynthesizer>(voice); });
        var (watch, _) = await vl.SubmitAsync(Embedded.ShortOrder());
        await using var _w = watch;
        await gate.Reached.WaitAsync(TimeSpan.FromSeconds(30));
        var cancelled = await watch.Job.Cancel("changed my mind");
        Assert.Equal(JobStatus.Cancelled, cancelled.Status);
        Assert.Equal("Cancelled: changed my mind", cancelled.Error);
        gate.Open();
        // A cancelled job stays cancelled: nothing it started may move it on (the stream says so, and no voice is made).
        await watch.WaitForAsync(e => e.Status == JobStatus.Cancelled, "the cancel event");
        Assert.Equal(JobStatus.Cancelled, (await watch.Job.GetSnapshot()).Status);
        Assert.Equal(0, voice.Calls);
        Assert.Equal(cancelled.Status, (await watch.Job.Cancel()).Status); // cancelling again changes nothing
    }

    [Fact]
    public async Task Cancel_WhileScenesAreVoiced_WithdrawsThem_AndTheJobNeverGoesOn()
    {
        var gate = new Gate();
        var voice = new TestVoice(gate);
        await using var vl = await Embedded.StartAsync(s => s.AddSingleton<ISpeechSynthesizer>(voice));
        var (watch, _) = await vl.SubmitAsync(Embedded.ShortOrder());
        await using var _w = watch;
        await gate.Reached.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(JobStatus.Scenes, (await watch.Job.GetSnapshot()).Status);
        await watch.Job.Cancel();
        gate.Open();
        var snapshot = await watch.Job.GetSnapshot();
        Assert.Equal(JobStatus.Cancelled, snapshot.Status);
        // Nothing of this job reaches the GPU queue after the cancel.
        var dispatches = await vl.Grains.GetGrain<ISchedulerGrain>(SchedulerKeys.Gpu).GetDispatches();
        Assert.Empty(dispatches);
        Assert.DoesNotContain(watch.Events, e => e.Status is JobStatus.Assembly or JobStatus.Packaging or JobStatus.Completed);
    }

    [Fact]
    public async Task Cancel_WhileWaitingForApproval_AndDuringTheEncode_EndsTheJobWithoutAVideo()
    {
        await using var vl = await Embedded.StartAsync();
        var (waiting, _) = await vl.SubmitAsync(Embedded.ShortOrder() with { RequireApproval = true });
        await using var _a = waiting;
        await waiting.WaitForAsync(e => e.Status == JobStatus.AwaitingApproval, "approval");
        Assert.Equal(JobStatus.Cancelled, (await waiting.Job.Cancel()).Status);

        var (encoding, _) = await vl.SubmitAsync(Embedded.ShortOrder() with { DurationSeconds = 20 });
        await using var _b = encoding;
        await encoding.WaitForAsync(e => e.Status == JobStatus.Assembly, "the encode to start");
        var cancelled = await encoding.Job.Cancel();
        Assert.Equal(JobStatus.Cancelled, cancelled.Status);
        Assert.False(cancelled.Outputs.ContainsKey("video"));
        Assert.DoesNotContain(encoding.Events, e => e.Status is JobStatus.Packaging or JobStatus.Completed);
        Assert.Equal(JobStatus.Cancelled, (await encoding.Job.GetSnapshot()).Status);
    }

    public static TheoryData<string, VideoOrder, string> BadOrders => new()
    {
        { "empty topic", new VideoOrder { Topic = "  " }, "topic" },
        { "unknown style", new VideoOrder { Topic = "Bees", Style = "sparkly" }, "sparkly" },
        { "too short", new VideoOrder { Topic = "Bees", DurationSeconds = 4 }, "5–180" },
        { "too long", new VideoOrder { Topic = "Bees", DurationSeconds = 181 }, "5–180" },
        { "unknown backend", new VideoOrder { Topic = "Bees", VisualBackend = "dreamcatcher" }, "dreamcatcher" },
        { "unknown priority", new VideoOrder { Topic = "Bees", Priority = "urgent" }, "urgent" },
        { "above the plan", new VideoOrder { Topic = "Bees", Priority = "high" }, "ceiling" },
    };

    [Theory]
    [MemberData(nameof(BadOrders))]
    public async Task BadInput_IsRefusedWithAClearReason_AndNoJobIsCreated(string _, VideoOrder order, string mentions)
    {
        await using var vl = await Embedded.StartAsync();
        var key = Embedded.NewKey();
        var job = vl.Grains.GetGrain<IVideoJobGrain>(key);
        var e = await Assert.ThrowsAsync<ArgumentException>(() => job.Submit(order));
        Assert.Contains(mentions, e.Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("   at ", e.Message);
        await Assert.ThrowsAsync<KeyNotFoundException>(() => job.GetSnapshot());
    }

    [Fact]
    public async Task AJobId_IsNotReusedForADifferentRequest_ButTheSameRequestAgainIsIdempotent()
    {
        await using var vl = await Embedded.StartAsync();
        var (watch, first) = await vl.SubmitAsync(Embedded.ShortOrder() with { RequireApproval = true });
        await using var _w = watch;
        var again = await watch.Job.Submit(Embedded.ShortOrder() with { RequireApproval = true });
        Assert.Equal(first.CreatedAt, again.CreatedAt);
        await Assert.ThrowsAsync<ArgumentException>(() => watch.Job.Submit(Embedded.ShortOrder("Something else") with { RequireApproval = true }));
        await watch.Job.Cancel();
    }
}
