using System.Text.Json;
using ViraLoop.Media.Writing;

namespace ViraLoop.Media.Tests.Writing;

/// <summary>The OpenAI-compatible writer against a local server that follows the chat-completions contract.</summary>
[Collection("local api servers")]
public sealed class OpenAiScriptWriterContractTests
{
    private static string Completion(string content) => JsonSerializer.Serialize(new
    {
        id = "chatcmpl-test", @object = "chat.completion", created = 1_700_000_000, model = "test-model",
        choices = new[] { new { index = 0, message = new { role = "assistant", content }, finish_reason = "stop" } },
        usage = new { prompt_tokens = 10, completion_tokens = 20, total_tokens = 30 },
    });

    [Fact]
    public async Task WriteAsync_LocalChatCompletionsServer_SendsJsonSchema_AndParsesScenes()
    {
        var script = JsonSerializer.Serialize(new
        {
            title = "Octopus minds", hook_type = "question",
            scenes = new[]
            {
                new { kind = "hook", narration = "Can an arm think on its own?", keywords = new[] { "arm", "think" }, visual = "tentacle close-up", duration = 3.0 },
                new { kind = "body", narration = "Two thirds of an octopus's neurons live in its arms.", keywords = new[] { "neurons" }, visual = "glowing arms", duration = 5.0 },
                new { kind = "cta", narration = "Follow for more ocean minds.", keywords = new[] { "follow" }, visual = "ocean", duration = 2.0 },
            },
        });
        using var server = new LocalApiServer(_ => LocalApiServer.Json(Completion(script)));
        var writer = new OpenAiScriptWriter(new LlmOptions(server.BaseUrl + "/v1", "test-model", "sk-test"));
        var s = await writer.WriteAsync(new VideoRequest { Topic = "Octopus minds", DurationSeconds = 10 });

        Assert.Equal(3, s.Scenes.Count);
        Assert.Equal(SceneKind.Hook, s.Scenes[0].Kind);
        Assert.Equal(SceneKind.CallToAction, s.Scenes[2].Kind);
        Assert.Equal(["NEURONS"], s.Scenes[1].Keywords);
        Assert.Equal("openai-compatible", s.Writer);

        var req = Assert.Single(server.Requests);
        Assert.Equal("POST", req.Method);
        Assert.Equal("/v1/chat/completions", req.PathAndQuery);
        Assert.Equal("Bearer sk-test", req.Headers["Authorization"]);
        using var body = JsonDocument.Parse(req.Body);
        Assert.Equal("test-model", body.RootElement.GetProperty("model").GetString());
        var format = body.RootElement.GetProperty("response_format");
        Assert.Equal("json_schema", format.GetProperty("type").GetString());
        Assert.True(format.GetProperty("json_schema").GetProperty("strict").GetBoolean());
        var roles = body.RootElement.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("role").GetString()).ToList();
        Assert.Equal(["system", "user"], roles);
    }

    [Fact]
    public async Task WriteAsync_ServerRefuses_GivesClearError()
    {
        using var server = new LocalApiServer(_ => LocalApiServer.Json("""{"error":{"message":"Incorrect API key provided","type":"invalid_request_error","code":"invalid_api_key"}}""", 401));
        var writer = new OpenAiScriptWriter(new LlmOptions(server.BaseUrl + "/v1", "m", "bad"));
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => writer.WriteAsync(new VideoRequest { Topic = "x" }));
        Assert.Contains("HTTP 401", e.Message);
    }

    [Fact]
    public async Task WriteAsync_ModelReturnsGarbage_IsRefusedBeforeRendering()
    {
        using var server = new LocalApiServer(_ => LocalApiServer.Json(Completion("{\"title\":\"t\",\"hook_type\":\"question\",\"scenes\":[]}")));
        var writer = new OpenAiScriptWriter(new LlmOptions(server.BaseUrl + "/v1", "m", "k"));
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => writer.WriteAsync(new VideoRequest { Topic = "x" }));
        Assert.Contains("unusable script", e.Message);
    }
}
