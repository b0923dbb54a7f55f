namespace ViraLoop.Media.Visuals.Backends;

/// <summary>
/// Settings of an OpenAI-compatible image endpoint. <see cref="BaseUrl"/> is the server root (the backend posts to
/// <c>{BaseUrl}/v1/images/generations</c>); <see cref="Size"/> is a portrait size the model accepts (gpt-image-1:
/// 1024x1536; dall-e-3: 1024x1792), or null to pick one from the model's name.
/// </summary>
public sealed record OpenAiImageBackendOptions(
    string ApiKey,
    string BaseUrl = OpenAiImageBackendOptions.DefaultBaseUrl,
    string Model = "gpt-image-1",
    string? Size = null,
    string ApiKeyVariable = "OPENAI_API_KEY")
{
    public const string DefaultBaseUrl = "https://api.openai.com";

    /// <summary>From OPENAI_API_KEY, OPENAI_IMAGE_BASE_URL (default api.openai.com) and OPENAI_IMAGE_MODEL (default gpt-image-1).</summary>
    public static OpenAiImageBackendOptions FromEnvironment() => new(
        Environment.GetEnvironmentVariable("OPENAI_API_KEY") ?? "",
        Environment.GetEnvironmentVariable("OPENAI_IMAGE_BASE_URL") is { Length: > 0 } b ? b : DefaultBaseUrl,
        Environment.GetEnvironmentVariable("OPENAI_IMAGE_MODEL") is { Length: > 0 } m ? m : "gpt-image-1");

    /// <summary>The portrait size asked for: <see cref="Size"/>, else the tallest portrait size the model documents.</summary>
    public string PortraitSize => Size ?? (Model.StartsWith("dall-e-3", StringComparison.OrdinalIgnoreCase) ? "1024x1792"
        : Model.StartsWith("dall-e-2", StringComparison.OrdinalIgnoreCase) ? "1024x1024" : "1024x1536");

    /// <summary>GPT image models always answer base64 and refuse response_format; older and compatible models take it.</summary>
    public bool SendsResponseFormat => !Model.StartsWith("gpt-image", StringComparison.OrdinalIgnoreCase);
}
