using System.Text.Json;
using ViraLoop.Media.Visuals.Backends;

namespace ViraLoop.Media.Tests.Visuals.Backends;

/// <summary>
/// The image backend against a local server that follows OpenAI's images API contract: POST /v1/images/generations with a
/// Bearer key and JSON (model, prompt, n, size, response_format), answering {created, data:[{b64_json, revised_prompt}]};
/// errors as {"error":{"message","type","param","code"}} with 400, 401, 429 (+ retry-after) and 5xx.
/// </summary>
[Collection("local api servers")]
public sealed class OpenAiImageBackendContractTests
{
    private const string Key = "sk-test";

    private static VendorContractServer.Response Error(int status, string message, string type, string? code, IReadOnlyDictionary<string, string>? headers = null) =>
        VendorContractServer.Response.Json(new { error = new { message, type, param = (string?)null, code } }, status, headers);

    /// <summary>The documented success answer, after checking the request like the real endpoint does.</summary>
    private static Func<VendorContractServer.Request, VendorContractServer.Response> ImagesEndpoint(byte[] png) => r =>
    {
        if (r.Method != "POST" || r.Path != "/v1/images/generations") return Error(404, $"Invalid URL ({r.Method} {r.Path})", "invalid_request_error", null);
        if (!r.Headers.TryGetValue("Authorization", out var auth) || auth != $"Bearer {Key}")
            return Error(401, "Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.", "invalid_request_error", "invalid_api_key");
        var body = r.Json();
        if (!body.TryGetProperty("prompt", out var prompt) || string.IsNullOrWhiteSpace(prompt.GetString()))
            return Error(400, "Missing required parameter: 'prompt'.", "invalid_request_error", "missing_required_parameter");
        return VendorContractServer.Response.Json(new
        {
            created = 1_713_833_628,
            data = new[] { new { b64_json = Convert.ToBase64String(png), revised_prompt = "An octopus over a reef" } },
        });
    };

    private static OpenAiImageBackend CreateSut(VendorContractServer server, string model = "dall-e-3", string key = Key) =>
        new(new HttpClient(), new OpenAiImageBackendOptions(key, server.BaseUrl, model));

    [Fact]
    public async Task CreatePollDownload_OpenAiImagesGenerations_PostsPortraitB64Request_AndGivesTheStillMotion()
    {
        using var server = new VendorContractServer(ImagesEndpoint(await BackendTestMedia.PngAsync(256, 448)));
        var sut = CreateSut(server);
        var job = BackendTestMedia.Job();
        var work = BackendTestMedia.TempDirectory();

        var handle = await sut.CreateAsync(job, work);

        var request = Assert.Single(server.Requests);
        Assert.Equal("/v1/images/generations", request.Path);
        Assert.Equal($"Bearer {Key}", request.Headers["Authorization"]);
        var body = request.Json();
        Assert.Equal("dall-e-3", body.GetProperty("model").GetString());
        Assert.Equal(1, body.GetProperty("n").GetInt32());
        Assert.Equal("1024x1792", body.GetProperty("size").GetString());
        Assert.Equal("b64_json", body.GetProperty("response_format").GetString());
        var prompt = body.GetProperty("prompt").GetString()!;
        Assert.Contains("octopus gliding over a coral reef", prompt);
        Assert.Contains("three hearts", prompt);
        Assert.Contains("cinematic", prompt);

        // The paid still is on disk before CreateAsync returns, and the handle names it.
        Assert.True(File.Exists(handle.Get("still")), "the still was not saved by CreateAsync");
        Assert.EndsWith(".png", handle.Get("still"));
        Assert.DoesNotContain(Directory.GetFiles(work), f => f.Contains(".tmp"));

        var state = await sut.PollAsync(handle);
        Assert.Equal(VisualTaskStatus.Succeeded, state.Status);
        var clip = await sut.DownloadAsync(handle, state, work);
        await BackendTestMedia.AssertClipFitsAsync(clip, job);
        Assert.Equal("openai-image", clip.Backend);
        Assert.Single(server.Requests); // polling and downloading never call the vendor again
        Directory.Delete(work, true);
    }

    [Fact]
    public async Task CreateAsync_GptImageModel_OmitsResponseFormat_AndAsksForItsPortraitSize()
    {
        using var server = new VendorContractServer(ImagesEndpoint(await BackendTestMedia.PngAsync(64, 96)));
        var work = BackendTestMedia.TempDirectory();
        await CreateSut(server, "gpt-image-1").CreateAsync(BackendTestMedia.Job(), work);

        var body = Assert.Single(server.Requests).Json();
        Assert.Equal("1024x1536", body.GetProperty("size").GetString());
        Assert.False(body.TryGetProperty("response_format", out _), "gpt-image-1 always answers base64 and refuses response_format");
        Directory.Delete(work, true);
    }

    [Fact]
    public async Task PollAndDownload_NewBackendFromPersistedHandle_UsesTheSavedStill_WithoutGeneratingAgain()
    {
        using var server = new VendorContractServer(ImagesEndpoint(await BackendTestMedia.PngAsync(256, 448)));
        var job = BackendTestMedia.Job(seed: 7);
        var work = BackendTestMedia.TempDirectory();
        var persisted = Path.Combine(work, "handle.json");
        {
            var first = CreateSut(server);
            var handle = await first.CreateAsync(job, work);
            await File.WriteAllTextAsync(persisted, JsonSerializer.Serialize(handle));
            // The worker dies here: the backend object and its HttpClient are gone.
        }

        var resumed = JsonSerializer.Deserialize<VisualTaskHandle>(await File.ReadAllTextAsync(persisted))!;
        var second = CreateSut(server);
        var state = await second.PollAsync(resumed);
        var clip = await second.DownloadAsync(resumed, state, work);

        Assert.Equal(1, server.Count("POST", "/v1/images/generations"));
        Assert.Equal(job, resumed.Job);
        await BackendTestMedia.AssertClipFitsAsync(clip, job);
        Directory.Delete(work, true);
    }

    [Fact]
    public async Task PollAsync_SavedStillLost_IsFailedNotRetryable()
    {
        using var server = new VendorContractServer(ImagesEndpoint(await BackendTestMedia.PngAsync(64, 96)));
        var work = BackendTestMedia.TempDirectory();
        var sut = CreateSut(server);
        var handle = await sut.CreateAsync(BackendTestMedia.Job(), work);
        File.Delete(handle.Get("still")!);

        var state = await sut.PollAsync(handle);
        Assert.Equal(VisualTaskStatus.Failed, state.Status);
        Assert.False(state.Retryable);
        Assert.Contains("paid again", state.FailureReason);
        Directory.Delete(work, true);
    }

    [Fact]
    public async Task CreateAsync_OpenAi429WithRetryAfter_ThrowsRateLimitedCarryingTheVendorDelay()
    {
        using var server = new VendorContractServer(_ => Error(429, "Rate limit reached for images per minute. Limit: 5/1min.", "requests", "rate_limit_exceeded",
            new Dictionary<string, string> { ["retry-after"] = "17" }));
        var work = BackendTestMedia.TempDirectory();
        var e = await Assert.ThrowsAsync<VisualBackendRateLimitedException>(() => CreateSut(server).CreateAsync(BackendTestMedia.Job(), work));
        Assert.Equal(TimeSpan.FromSeconds(17), e.RetryAfter);
        Assert.True(e.IsRetryable);
        Assert.Equal(429, e.StatusCode);
        Assert.Contains("Rate limit reached", e.Message);
        Assert.Empty(Directory.GetFiles(work));
        Directory.Delete(work, true);
    }

    [Fact]
    public async Task CreateAsync_OpenAi429InsufficientQuota_IsRejectedNotRateLimited()
    {
        using var server = new VendorContractServer(_ => Error(429, "You exceeded your current quota, please check your plan and billing details.", "insufficient_quota", "insufficient_quota"));
        var work = BackendTestMedia.TempDirectory();
        var e = await Assert.ThrowsAsync<VisualBackendRejectedException>(() => CreateSut(server).CreateAsync(BackendTestMedia.Job(), work));
        Assert.False(e.IsRetryable);
        Assert.Equal("insufficient_quota", e.VendorCode);
        Directory.Delete(work, true);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(503)]
    public async Task CreateAsync_OpenAi5xx_ThrowsUnavailable(int status)
    {
        using var server = new VendorContractServer(_ => Error(status, "The server had an error while processing your request. Sorry about that!", "server_error", null));
        var work = BackendTestMedia.TempDirectory();
        var e = await Assert.ThrowsAsync<VisualBackendUnavailableException>(() => CreateSut(server).CreateAsync(BackendTestMedia.Job(), work));
        Assert.Equal(status, e.StatusCode);
        Assert.True(e.IsRetryable);
        Assert.False(e.OutcomeUnknown);
        Directory.Delete(work, true);
    }

    [Fact]
    public async Task CreateAsync_OpenAi400ContentPolicy_ThrowsRejectedNotRetryable()
    {
        using var server = new VendorContractServer(_ => Error(400,
            "Your request was rejected as a result of our safety system. Your prompt may contain text that is not allowed by our safety system.",
            "invalid_request_error", "content_policy_violation"));
        var work = BackendTestMedia.TempDirectory();
        var e = await Assert.ThrowsAsync<VisualBackendRejectedException>(() => CreateSut(server).CreateAsync(BackendTestMedia.Job(), work));
        Assert.False(e.IsRetryable);
        Assert.True(e.IsContentPolicy);
        Assert.Equal("content_policy_violation", e.VendorCode);
        Assert.Equal(400, e.StatusCode);
        Assert.Contains("safety system", e.Message);
        Directory.Delete(work, true);
    }

    [Fact]
    public async Task CreateAsync_OpenAi401_ThrowsBadKeyNamingTheVariable()
    {
        using var server = new VendorContractServer(ImagesEndpoint([]));
        var work = BackendTestMedia.TempDirectory();
        var e = await Assert.ThrowsAsync<VisualBackendAuthenticationException>(() => CreateSut(server, key: "sk-wrong").CreateAsync(BackendTestMedia.Job(), work));
        Assert.Equal(401, e.StatusCode);
        Assert.Equal("OPENAI_API_KEY", e.ApiKeyVariable);
        Assert.Contains("OPENAI_API_KEY", e.Message);
        Assert.Contains("Incorrect API key", e.Message);
        Directory.Delete(work, true);
    }

    [Fact]
    public async Task CreateAsync_NoKey_ThrowsBadKeyWithoutCallingTheVendor()
    {
        using var server = new VendorContractServer(ImagesEndpoint([]));
        var e = await Assert.ThrowsAsync<VisualBackendAuthenticationException>(() => CreateSut(server, key: "").CreateAsync(BackendTestMedia.Job(), Path.GetTempPath()));
        Assert.Contains("OPENAI_API_KEY", e.Message);
        Assert.Empty(server.Requests);
    }
}
