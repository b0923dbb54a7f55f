using System.Text.Json;
using ViraLoop.Media.Visuals.Backends;

namespace ViraLoop.Media.Tests.Visuals.Backends;

/// <summary>The Runway backend against <see cref="RunwayContractServer"/>, a local server that follows Runway's documented task API.</summary>
[Collection("local api servers")]
public sealed class RunwayVideoBackendContractTests
{
    private static RunwayVideoBackend CreateSut(RunwayContractServer server, string key = RunwayContractServer.Key, TimeProvider? time = null) =>
        new(new HttpClient(), new RunwayBackendOptions(key, server.BaseUrl), time);

    private static async Task<VisualTaskState> PollUntilDoneAsync(IVisualBackend backend, VisualTaskHandle handle, List<VisualTaskState>? seen = null)
    {
        // The contract server moves a task one step per poll, so this loop needs no clock; it gives up after 20 polls.
        for (int i = 0; i < 20; i++)
        {
            var state = await backend.PollAsync(handle);
            seen?.Add(state);
            if (state.IsTerminal) return state;
        }
        throw new TimeoutException($"Task {handle.TaskId} did not reach SUCCEEDED or FAILED within 20 polls.");
    }

    [Fact]
    public async Task CreatePollDownload_RunwayTextToVideo_FollowsTheTaskLifecycle_AndFitsTheClipToTheScene()
    {
        using var server = new RunwayContractServer(await BackendTestMedia.Mp4Async(72, 128, 1.0));
        var sut = CreateSut(server);
        var job = BackendTestMedia.Job(seconds: 2);
        var work = BackendTestMedia.TempDirectory();

        var handle = await sut.CreateAsync(job, work);

        var create = Assert.Single(server.Requests);
        Assert.Equal("POST", create.Method);
        Assert.Equal("/v1/text_to_video", create.Path);
        Assert.Equal($"Bearer {RunwayContractServer.Key}", create.Headers["Authorization"]);
        Assert.Equal("2024-11-06", create.Headers["X-Runway-Version"]);
        var body = create.Json();
        Assert.Equal("gen4.5", body.GetProperty("model").GetString());
        Assert.Equal("720:1280", body.GetProperty("ratio").GetString());
        Assert.Equal(2, body.GetProperty("duration").GetInt32());
        Assert.Equal(42, body.GetProperty("seed").GetInt64());
        Assert.Contains("octopus gliding over a coral reef", body.GetProperty("promptText").GetString());
        Assert.Equal("runway", handle.Backend);
        Assert.False(string.IsNullOrEmpty(handle.TaskId));

        var seen = new List<VisualTaskState>();
        var done = await PollUntilDoneAsync(sut, handle, seen);
        Assert.Equal(["PENDING", "THROTTLED", "RUNNING", "SUCCEEDED"], seen.Select(s => s.VendorStatus));
        Assert.Equal([VisualTaskStatus.Pending, VisualTaskStatus.Pending, VisualTaskStatus.Running, VisualTaskStatus.Succeeded], seen.Select(s => s.Status));
        Assert.Equal(0.42, seen[2].Progress);
        Assert.All(server.Requests.Where(r => r.Path.StartsWith("/v1/tasks/")), r => Assert.Equal("2024-11-06", r.Headers["X-Runway-Version"]));

        // The vendor's 1 s clip at 72x128 is scaled to 180x320 and looped to the scene's 2 s.
        var clip = await sut.DownloadAsync(handle, done, work);
        await BackendTestMedia.AssertClipFitsAsync(clip, job);
        Assert.Equal(handle.TaskId, clip.TaskId);
        Assert.DoesNotContain(Directory.GetFiles(work), f => Path.GetFileName(f).StartsWith('.'));

        // Downloading again returns the finished file without fetching again.
        int fetches = server.Requests.Count(r => r.Path.StartsWith("/cdn/"));
        var again = await sut.DownloadAsync(handle, done, work);
        Assert.Equal(clip.Path, again.Path);
        Assert.Equal(fetches, server.Requests.Count(r => r.Path.StartsWith("/cdn/")));
        Directory.Delete(work, true);
    }

    [Fact]
    public async Task CreateAsync_RunwayWorkerCrashesBetweenCreateAndDownload_NewBackendResumesFromPersistedHandle_WithOneCreateCall()
    {
        using var server = new RunwayContractServer(await BackendTestMedia.Mp4Async(72, 128, 1.5));
        var job = BackendTestMedia.Job(seconds: 2, seed: 3);
        var work = BackendTestMedia.TempDirectory();
        var persisted = Path.Combine(work, "scene-1.handle.json");
        {
            // Worker 1: create, persist the handle before polling, poll once, then die (object, HttpClient and all).
            var worker1 = CreateSut(server);
            var handle = await worker1.CreateAsync(job, work);
            await File.WriteAllTextAsync(persisted, JsonSerializer.Serialize(handle));
            Assert.Equal(VisualTaskStatus.Pending, (await worker1.PollAsync(handle)).Status);
        }

        // Worker 2, a new instance (as in a new process): it finds the persisted handle and resumes instead of creating.
        var worker2 = CreateSut(server);
        var resumed = JsonSerializer.Deserialize<VisualTaskHandle>(await File.ReadAllTextAsync(persisted))!;
        var done = await PollUntilDoneAsync(worker2, resumed);
        var clip = await worker2.DownloadAsync(resumed, done, work);

        Assert.Equal(1, server.Creates);
        Assert.All(server.Requests.Where(r => r.Path.StartsWith("/v1/tasks/")), r => Assert.Equal($"/v1/tasks/{resumed.TaskId}", r.Path));
        await BackendTestMedia.AssertClipFitsAsync(clip, job);
        Directory.Delete(work, true);
    }

    [Theory]
    [InlineData("SAFETY.INPUT.TEXT", "The prompt text did not pass content moderation.", false)]
    [InlineData("INPUT_PREPROCESSING.SAFETY.TEXT", "Input prompt text was rejected for content moderation reasons.", false)]
    [InlineData("INTERNAL.BAD_OUTPUT.CODE01", "The generation was rejected for quality reasons.", true)]
    public async Task PollAsync_RunwayTaskFailed_IsFailedWithTheVendorsReasonAndCode(string code, string reason, bool retryable)
    {
        using var server = new RunwayContractServer([]) { Lifecycle = ["PENDING", "RUNNING", "FAILED"], Failure = (reason, code) };
        var sut = CreateSut(server);
        var handle = await sut.CreateAsync(BackendTestMedia.Job(), Path.GetTempPath());

        var state = await PollUntilDoneAsync(sut, handle);

        Assert.Equal(VisualTaskStatus.Failed, state.Status);
        Assert.Equal(reason, state.FailureReason);
        Assert.Equal(code, state.FailureCode);
        Assert.Equal(retryable, state.Retryable);
        await Assert.ThrowsAsync<InvalidOperationException>(() => sut.DownloadAsync(handle, state, Path.GetTempPath()));
        Assert.Equal(1, server.Creates);
    }

    [Fact]
    public async Task PollAsync_RunwayTaskUnknown_IsFailedNotFound()
    {
        using var server = new RunwayContractServer([]);
        var sut = CreateSut(server);
        var handle = new VisualTaskHandle("runway", sut.Version, "00000000-0000-0000-0000-000000000000", BackendTestMedia.Job(), DateTimeOffset.UnixEpoch);
        var state = await sut.PollAsync(handle);
        Assert.Equal(VisualTaskStatus.Failed, state.Status);
        Assert.Equal("NOT_FOUND", state.FailureCode);
    }

    [Fact]
    public async Task DownloadAsync_RunwaySignedUrlExpired_PollsForAFreshUrl_AndCreatesNothing()
    {
        using var server = new RunwayContractServer(await BackendTestMedia.Mp4Async(72, 128, 1.0)) { FirstDownloadExpired = true };
        var sut = CreateSut(server);
        var job = BackendTestMedia.Job();
        var work = BackendTestMedia.TempDirectory();
        var handle = await sut.CreateAsync(job, work);
        var done = await PollUntilDoneAsync(sut, handle);

        var clip = await sut.DownloadAsync(handle, done, work);

        Assert.Equal(2, server.Requests.Count(r => r.Path.StartsWith("/cdn/")));
        Assert.Equal(1, server.Creates);
        await BackendTestMedia.AssertClipFitsAsync(clip, job);
        Directory.Delete(work, true);
    }

    /// <summary>
    /// A task's output URL is the vendor's word, not ours: what it may make us fetch is guarded — no private or link-local
    /// address (cloud metadata), no redirect to one, no plain http from an https API, only videos, only so large.
    /// </summary>
    [Theory]
    [InlineData("metadata", "private, loopback or link-local")]
    [InlineData("redirect", "private, loopback or link-local")]
    [InlineData("file", "not an http(s) URL")]
    [InlineData("html", "not a video")]
    [InlineData("huge", "more than the 1,000 allowed")]
    public async Task DownloadAsync_AHostileOrOversizedOutput_IsRefused_AndNothingIsWritten(string attack, string expected)
    {
        using var server = new RunwayContractServer(await BackendTestMedia.Mp4Async(72, 128, 1.0));
        switch (attack)
        {
            case "metadata": server.OutputUrl = _ => "http://169.254.169.254/latest/meta-data/iam/security-credentials/"; break;
            case "redirect": server.RedirectDownloadTo = "http://10.0.0.7/internal/admin"; break;
            case "file": server.OutputUrl = _ => "file:///etc/passwd"; break;
            case "html": server.DownloadType = "text/html"; break;
        }
        var limits = attack == "huge" ? DownloadLimits.Default with { MaxBytes = 1000 } : DownloadLimits.Default;
        var sut = new RunwayVideoBackend(new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }),
            new RunwayBackendOptions(RunwayContractServer.Key, server.BaseUrl) { Downloads = limits });
        var work = BackendTestMedia.TempDirectory();
        var handle = await sut.CreateAsync(BackendTestMedia.Job(), work);
        var done = await PollUntilDoneAsync(sut, handle);
        var e = await Assert.ThrowsAsync<VisualBackendRejectedException>(() => sut.DownloadAsync(handle, done, work));
        Assert.Contains(expected, e.Message);
        Assert.False(e.IsRetryable);
        Assert.Empty(Directory.GetFiles(work, "*.mp4", SearchOption.AllDirectories));
        Directory.Delete(work, true);
    }

    [Theory]
    [InlineData("10.1.2.3", true)]
    [InlineData("172.20.0.1", true)]
    [InlineData("192.168.1.1", true)]
    [InlineData("127.0.0.1", true)]
    [InlineData("169.254.169.254", true)]
    [InlineData("100.64.0.1", true)]
    [InlineData("::1", true)]
    [InlineData("fd00::1", true)]
    [InlineData("fe80::1", true)]
    [InlineData("::ffff:10.0.0.1", true)]
    [InlineData("8.8.8.8", false)]
    [InlineData("2606:4700::1111", false)]
    public void PrivateAddresses_AreKnown(string address, bool isPrivate) =>
        Assert.Equal(isPrivate, GuardedDownload.IsPrivate(System.Net.IPAddress.Parse(address)));

    [Fact]
    public async Task CreateAsync_Runway429WithRetryAfterSeconds_ThrowsRateLimitedCarryingTheDelay()
    {
        using var server = new RunwayContractServer([])
        {
            CreateAnswer = _ => VendorContractServer.Response.Json(new { error = "You have exceeded your daily generation limit." }, 429,
                new Dictionary<string, string> { ["Retry-After"] = "30" }),
        };
        var e = await Assert.ThrowsAsync<VisualBackendRateLimitedException>(() => CreateSut(server).CreateAsync(BackendTestMedia.Job(), Path.GetTempPath()));
        Assert.Equal(TimeSpan.FromSeconds(30), e.RetryAfter);
        Assert.True(e.IsRetryable);
        Assert.Contains("daily generation limit", e.Message);
    }

    [Fact]
    public async Task CreateAsync_Runway429WithRetryAfterDate_ThrowsRateLimitedWithTheTimeLeft()
    {
        var now = new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);
        using var server = new RunwayContractServer([])
        {
            CreateAnswer = _ => VendorContractServer.Response.Json(new { error = "Too many requests." }, 429,
                new Dictionary<string, string> { ["Retry-After"] = now.AddSeconds(90).ToString("r") }),
        };
        var e = await Assert.ThrowsAsync<VisualBackendRateLimitedException>(
            () => CreateSut(server, time: new FixedTimeProvider(now)).CreateAsync(BackendTestMedia.Job(), Path.GetTempPath()));
        Assert.Equal(TimeSpan.FromSeconds(90), e.RetryAfter);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(504)]
    public async Task CreateAsync_Runway5xx_ThrowsUnavailable(int status)
    {
        using var server = new RunwayContractServer([])
        {
            CreateAnswer = _ => VendorContractServer.Response.Json(new { error = "Runway is shedding load." }, status),
        };
        var e = await Assert.ThrowsAsync<VisualBackendUnavailableException>(() => CreateSut(server).CreateAsync(BackendTestMedia.Job(), Path.GetTempPath()));
        Assert.Equal(status, e.StatusCode);
        Assert.True(e.IsRetryable);
    }

    [Fact]
    public async Task PollAsync_Runway503_ThrowsUnavailable_AndTheSameTaskIsPolledLater()
    {
        using var server = new RunwayContractServer([]);
        var sut = CreateSut(server);
        var handle = await sut.CreateAsync(BackendTestMedia.Job(), Path.GetTempPath());
        server.PollAnswer = _ => VendorContractServer.Response.Json(new { error = "Runway is shedding load." }, 503,
            new Dictionary<string, string> { ["Retry-After"] = "5" });

        var e = await Assert.ThrowsAsync<VisualBackendUnavailableException>(() => sut.PollAsync(handle));
        Assert.Equal(503, e.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(5), e.RetryAfter);

        server.PollAnswer = null;
        Assert.Equal(VisualTaskStatus.Pending, (await sut.PollAsync(handle)).Status);
        Assert.Equal(1, server.Creates);
    }

    [Fact]
    public async Task PollAsync_RunwayUnreachable_ThrowsUnavailableWithoutStatus_AndOutcomeKnown()
    {
        var sut = new RunwayVideoBackend(new HttpClient(), new RunwayBackendOptions(RunwayContractServer.Key, "http://127.0.0.1:1"));
        var handle = new VisualTaskHandle("runway", sut.Version, "task-1", BackendTestMedia.Job(), DateTimeOffset.UnixEpoch);
        var e = await Assert.ThrowsAsync<VisualBackendUnavailableException>(() => sut.PollAsync(handle));
        Assert.Null(e.StatusCode);
        Assert.False(e.OutcomeUnknown); // a poll never pays, and a refused connection never reached the vendor
    }

    [Fact]
    public async Task CreateAsync_Runway400ContentModeration_ThrowsRejectedNotRetryable()
    {
        using var server = new RunwayContractServer([])
        {
            CreateAnswer = _ => VendorContractServer.Response.Json(new { error = "promptText: The text did not pass content moderation (SAFETY.INPUT.TEXT)." }, 400),
        };
        var e = await Assert.ThrowsAsync<VisualBackendRejectedException>(() => CreateSut(server).CreateAsync(BackendTestMedia.Job(), Path.GetTempPath()));
        Assert.False(e.IsRetryable);
        Assert.True(e.IsContentPolicy);
        Assert.Equal(400, e.StatusCode);
        Assert.Contains("content moderation", e.Message);
    }

    [Fact]
    public async Task CreateAsync_Runway400BadInput_ThrowsRejectedWithTheVendorsExplanation()
    {
        using var server = new RunwayContractServer([]);
        var sut = new RunwayVideoBackend(new HttpClient(), new RunwayBackendOptions(RunwayContractServer.Key, server.BaseUrl, Ratio: "9:16"));
        var e = await Assert.ThrowsAsync<VisualBackendRejectedException>(() => sut.CreateAsync(BackendTestMedia.Job(), Path.GetTempPath()));
        Assert.False(e.IsContentPolicy);
        Assert.Contains("ratio: Invalid enum value.", e.Message);
    }

    [Fact]
    public async Task CreateAsync_Runway401_ThrowsBadKeyNamingRunwaymlApiSecret()
    {
        using var server = new RunwayContractServer([]);
        var e = await Assert.ThrowsAsync<VisualBackendAuthenticationException>(() => CreateSut(server, key: "key_wrong").CreateAsync(BackendTestMedia.Job(), Path.GetTempPath()));
        Assert.Equal(401, e.StatusCode);
        Assert.Equal("RUNWAYML_API_SECRET", e.ApiKeyVariable);
        Assert.Contains("RUNWAYML_API_SECRET", e.Message);
        Assert.Equal(1, server.Creates);
    }

    [Fact]
    public async Task CreateAsync_RunwayNoKey_ThrowsBadKeyWithoutCallingTheVendor()
    {
        using var server = new RunwayContractServer([]);
        var e = await Assert.ThrowsAsync<VisualBackendAuthenticationException>(() => CreateSut(server, key: " ").CreateAsync(BackendTestMedia.Job(), Path.GetTempPath()));
        Assert.Contains("RUNWAYML_API_SECRET", e.Message);
        Assert.Empty(server.Requests);
    }

    [Theory]
    [InlineData("gen4.5", 1.2, 2)]
    [InlineData("gen4.5", 4.0, 4)]
    [InlineData("gen4.5", 4.01, 5)]
    [InlineData("gen4.5", 14, 10)]
    [InlineData("veo3.1", 5, 6)]
    [InlineData("veo3.1_fast", 2, 4)]
    [InlineData("veo3.1", 12, 8)]
    [InlineData("veo3", 3, 8)]
    public void VendorDuration_RunwayModel_IsTheShortestAcceptedDurationCoveringTheScene(string model, double scene, int expected) =>
        Assert.Equal(expected, RunwayVideoBackend.VendorDuration(model, scene));

    private sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
