using System.ClientModel;
using System.Text.Json;
using OpenAI;
using OpenAI.Chat;

namespace ViraLoop.Media.Writing;

/// <summary>Settings of an OpenAI-compatible endpoint (OpenAI itself, or any server that speaks the chat-completions API).</summary>
public sealed record LlmOptions(string BaseUrl, string Model, string ApiKey);

/// <summary>
/// Writes the script with any OpenAI-compatible chat endpoint, asking for structured JSON output
/// (response_format json_schema, strict), then checks what came back before the pipeline uses it.
/// </summary>
public sealed class OpenAiScriptWriter(LlmOptions options) : IScriptWriter
{
    private const string Schema = """
        {
          "type": "object",
          "properties": {
            "title": { "type": "string" },
            "hook_type": { "type": "string", "enum": ["question", "bold-claim", "number", "story", "contrarian"] },
            "scenes": {
              "type": "array",
              "items": {
                "type": "object",
                "properties": {
                  "kind": { "type": "string", "enum": ["hook", "body", "cta"] },
                  "narration": { "type": "string" },
                  "keywords": { "type": "array", "items": { "type": "string" } },
                  "visual": { "type": "string" },
                  "duration": { "type": "number" }
                },
                "required": ["kind", "narration", "keywords", "visual", "duration"],
                "additionalProperties": false
              }
            }
          },
          "required": ["title", "hook_type", "scenes"],
          "additionalProperties": false
        }
        """;

    public async Task<Script> WriteAsync(VideoRequest request, CancellationToken cancellationToken = default)
    {
        TemplateScriptWriter.Validate(request);
        if (request.Scenes is not null) return TemplateScriptWriter.Write(request); // a complete scene list needs no writer
        var lang = Languages.Get(request.Language);
        var client = new ChatClient(options.Model, new ApiKeyCredential(options.ApiKey), new OpenAIClientOptions { Endpoint = new Uri(options.BaseUrl) });
        var chatOptions = new ChatCompletionOptions
        {
            ResponseFormat = ChatResponseFormat.CreateJsonSchemaFormat("short_video_script", BinaryData.FromString(Schema), jsonSchemaIsStrict: true),
            Temperature = 0.8f,
        };
        var system = $"""
            You write scripts for vertical short videos (TikTok, Reels, Shorts) in {lang.Name} (language code {lang.Code}).
            Return 4 to 8 scenes: the first is the hook (type: {request.Hook ?? "your choice"}), the last a call to action.
            Each scene: narration (spoken, about {lang.WordsPerSecond:0.#} words per second of its duration), 1–3 short on-screen keywords,
            a visual description, and a duration in seconds. Total duration: {request.DurationSeconds:0} seconds. No emojis.
            """;
        var user = request.Text is null
            ? $"Topic: {request.Topic}"
            : $"Topic: {request.Topic}\n\nUse these facts and keep every one of them:\n{request.Text}";
        ChatCompletion completion;
        try
        {
            completion = (await client.CompleteChatAsync([new SystemChatMessage(system), new UserChatMessage(user)], chatOptions, cancellationToken)).Value;
        }
        catch (ClientResultException e)
        {
            throw new InvalidOperationException($"The script model at {options.BaseUrl} answered HTTP {e.Status}: {e.Message}", e);
        }
        var json = completion.Content.FirstOrDefault()?.Text ?? throw new InvalidOperationException("The script model returned no content.");
        return Parse(json, lang, request);
    }

    internal static Script Parse(string json, LanguageInfo lang, VideoRequest request)
    {
        LlmScript? parsed;
        try { parsed = JsonSerializer.Deserialize<LlmScript>(json, new JsonSerializerOptions { PropertyNameCaseInsensitive = true }); }
        catch (JsonException e) { throw new InvalidOperationException($"The script model returned invalid JSON: {e.Message}"); }
        if (parsed?.Scenes is not { Count: >= 2 and <= 12 } scenes || scenes.Any(s => string.IsNullOrWhiteSpace(s.Narration)))
            throw new InvalidOperationException("The script model returned an unusable script (it needs 2–12 scenes, each with narration).");
        var list = scenes.Select((s, i) => new SceneScript(i,
            i == 0 ? SceneKind.Hook : s.Kind == "cta" && i == scenes.Count - 1 ? SceneKind.CallToAction : SceneKind.Body,
            s.Narration!.Trim(),
            (s.Keywords ?? []).Where(k => !string.IsNullOrWhiteSpace(k)).Take(3).Select(k => k.Trim().ToUpper(System.Globalization.CultureInfo.GetCultureInfo(lang.Code))).DefaultIfEmpty(s.Narration.Split(' ')[0].ToUpperInvariant()).ToList(),
            s.Visual ?? "", Math.Clamp(s.Duration, 1, 30))).ToList();
        return new Script(parsed.Title ?? request.Topic, lang.Code, parsed.HookType ?? "question", list, "openai-compatible");
    }

    private sealed class LlmScript
    {
        public string? Title { get; set; }
        [System.Text.Json.Serialization.JsonPropertyName("hook_type")] public string? HookType { get; set; }
        public List<LlmScene>? Scenes { get; set; }
    }

    private sealed class LlmScene
    {
        public string? Kind { get; set; }
        public string? Narration { get; set; }
        public List<string>? Keywords { get; set; }
        public string? Visual { get; set; }
        public double Duration { get; set; }
    }
}
