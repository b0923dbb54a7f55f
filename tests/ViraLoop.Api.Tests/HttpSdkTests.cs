using ViraLoop.Client;
using ViraLoop.Contracts;
using Xunit;

namespace ViraLoop.Api.Tests;

/// <summary>The HTTP SDK against the real API: the same calls a program outside the cluster makes.</summary>
public sealed class HttpSdkTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Submit_Watch_Download_List_AndProblemsAsExceptions()
    {
        var (_, key) = await api.TenantAsync("sdk-co");
        await using var vl = new ViraLoopHttpClient(api.Server.BaseAddress, key, () => api.Server.CreateHandler());

        var bad = await Assert.ThrowsAsync<ViraLoopApiException>(() => vl.SubmitAsync(new CreateVideoBody { Topic = "Cats", DurationSeconds = 500 }));
        Assert.Equal((400, "invalid-request"), (bad.Status, bad.Type));
        Assert.Contains("durationSeconds", bad.Detail);
        var missing = await Assert.ThrowsAsync<ViraLoopApiException>(() => vl.GetAsync("vaaaaaaaaaaaaaaaaaaaa"));
        Assert.Equal(404, missing.Status);

        var video = await vl.SubmitAsync(new CreateVideoBody { Topic = "How owls fly silently", DurationSeconds = 5, Preview = true, Seed = 3 }, idempotencyKey: "sdk-1");
        Assert.Equal(video.Id, (await vl.SubmitAsync(new CreateVideoBody { Topic = "How owls fly silently", DurationSeconds = 5, Preview = true, Seed = 3 }, idempotencyKey: "sdk-1")).Id);

        var events = new List<LiveEvent>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(180));
        await foreach (var e in vl.WatchAsync(video.Id, ct: timeout.Token)) events.Add(e);
        Assert.Equal("snapshot", events[0].Type);
        var sequences = events.Where(e => e.Type == "progress").Select(e => e.Sequence).ToList();
        Assert.Equal(sequences.Distinct().Order(), sequences);
        Assert.Equal("completed", (await vl.GetAsync(video.Id)).Status);

        using var mp4 = new MemoryStream();
        await vl.DownloadAsync(video.Id, "video.mp4", mp4);
        Assert.True(mp4.Length > 10_000);
        Assert.Equal("ftyp"u8.ToArray(), mp4.ToArray()[4..8]);
        var page = await vl.ListAsync(status: "completed");
        Assert.Single(page.Items, v => v.Id == video.Id);
        var cancelled = await Assert.ThrowsAsync<ViraLoopApiException>(() => vl.ApproveAsync(video.Id));
        Assert.Equal(409, cancelled.Status);
    }
}
