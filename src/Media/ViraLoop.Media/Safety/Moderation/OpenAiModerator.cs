using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ViraLoop.Media.Safety.Moderation;

/// <summary>
/// Settings of an OpenAI-compatible moderation endpoint: <c>POST {BaseUrl}/v1/moderations</c> with a bearer key. A check
/// waits <see cref="TimeoutSeconds"/> (well inside a grain call's timeout: a submission is checked in its call).
/// </summary>
public sealed record OpenAiModerationOptions(
    string ApiKey,
    string BaseUrl = OpenAiModerationOptions.DefaultBaseUrl,
    string Model = "omni-moderation-latest",
    double TimeoutSeconds = 5)
{
    public const string DefaultBaseUrl = "https://api.openai.com";

    /// <summary>
    /// The endpoint when <c>VIRALOOP_MODERATION=openai</c>: key from OPENAI_API_KEY, root from OPENAI_MODERATION_BASE_URL
    /// (default api.openai.com), model from OPENAI_MODERATION_MODEL (default omni-moderation-latest); otherwise null
    /// (the offline rules alone). Any other value of VIRALOOP_MODERATION than rules or openai is refused.
    /// </summary>
    public static OpenAiModerationOptions? FromEnvironment()
    {
        var mode = Environment.GetEnvironmentVariable("VIRALOOP_MODERATION")?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(mode) || mode == "rules") return null;
        if (mode != "openai")
            throw new MediaInputException($"VIRALOOP_MODERATION is '{mode}': use rules (the offline checker, default) or openai (an OpenAI-compatible endpoint as well).");
        var key = Environment.GetEnvironmentVariable("OPENAI_API_KEY");
        if (string.IsNullOrWhiteSpace(key))
            throw new MediaInputException("VIRALOOP_MODERATION=openai needs the endpoint's key in OPENAI_API_KEY.");
        return new OpenAiModerationOptions(key,
            Environment.GetEnvironmentVariable("OPENAI_MODERATION_BASE_URL") is { Length: > 0 } b ? b : DefaultBaseUrl,
            Environment.GetEnvironmentVariable("OPENAI_MODERATION_MODEL") is { Length: > 0 } m ? m : "omni-moderation-latest");
    }
}

/// <summary>
/// An OpenAI-compatible moderation endpoint as a checker: texts go as one array (one result each), an image as a
/// multi-modal input with a data URL. Category scores become findings: the base categories at 0.5 (severity 2) and
/// 0.2 (1); the severe sub-categories (sexual/minors, hate/threatening, harassment/threatening, self-harm/intent and
/// instructions, illicit/violent) at 0.5 as severity 3. Transport failures, non-2xx answers and unreadable bodies become
/// <see cref="ModerationUnavailableException"/>, whose message never holds the key.
/// </summary>
public sealed class OpenAiModerator(HttpClient http, OpenAiModerationOptions options) : IContentModerator
{
    private const int MaxTextsPerRequest = 32;

    public string Name => "openai";

    public bool ChecksImages => options.Model.StartsWith("omni", StringComparison.OrdinalIgnoreCase);

    public async Task<IReadOnlyList<ModerationFinding>> CheckTextAsync(IReadOnlyList<ModerationText> texts, CancellationToken ct = default)
    {
        var findings = new List<ModerationFinding>();
        foreach (var batch in texts.Chunk(MaxTextsPerRequest))
        {
            var results = await PostAsync(batch.Select(t => (object)t.Text).ToArray(), ct);
            if (results.Count != batch.Length)
                throw new ModerationUnavailableException($"{Name} answered {results.Count} results for {batch.Length} inputs");
            for (var i = 0; i < batch.Length; i++)
                findings.AddRange(Findings(results[i], batch[i].Field, Excerpt(batch[i].Text)));
        }
        return findings;
    }

    public async Task<IReadOnlyList<ModerationFinding>> CheckImageAsync(ReadOnlyMemory<byte> image, string mediaType, string field, CancellationToken ct = default)
    {
        var url = $"data:{mediaType};base64,{Convert.ToBase64String(image.Span)}";
        var results = await PostAsync([new { type = "image_url", image_url = new { url } }], ct);
        return results.Count == 0 ? [] : Findings(results[0], field, "(image)").ToList();
    }

    private async Task<List<ModerationResult>> PostAsync(object[] input, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(options.TimeoutSeconds));
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(new Uri(options.BaseUrl.TrimEnd('/') + "/"), "v1/moderations"))
        {
            Content = JsonContent.Create(new { model = options.Model, input }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.ApiKey);
        int status;
        string body;
        try
        {
            using var response = await http.SendAsync(request, timeout.Token);
            status = (int)response.StatusCode;
            body = await response.Content.ReadAsStringAsync(timeout.Token);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            throw new ModerationUnavailableException($"{options.BaseUrl} could not be reached: {e.Message}", e);
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new ModerationUnavailableException($"{options.BaseUrl} did not answer in {options.TimeoutSeconds:0.#} s", e);
        }
        if (status is < 200 or > 299)
            throw new ModerationUnavailableException($"HTTP {status}{ErrorMessage(body)}");
        try
        {
            return JsonSerializer.Deserialize<ModerationResponse>(body)?.Results
                ?? throw new ModerationUnavailableException("the answer has no results");
        }
        catch (JsonException e)
        {
            throw new ModerationUnavailableException("the answer is not a moderation result", e);
        }
    }

    private string ErrorMessage(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.TryGetProperty("error", out var error) && error.TryGetProperty("message", out var message))
                return ": " + (message.GetString() ?? "").Replace(options.ApiKey, "***", StringComparison.Ordinal);
        }
        catch (JsonException) { }
        return "";
    }

    private static readonly (string Key, ModerationCategory Category, bool Severe)[] Map =
    [
        ("violence", ModerationCategory.Violence, false), ("violence/graphic", ModerationCategory.Violence, false),
        ("hate", ModerationCategory.Hate, false), ("hate/threatening", ModerationCategory.Hate, true),
        ("sexual", ModerationCategory.Sexual, false), ("sexual/minors", ModerationCategory.Sexual, true),
        ("self-harm", ModerationCategory.SelfHarm, false), ("self-harm/intent", ModerationCategory.SelfHarm, true),
        ("self-harm/instructions", ModerationCategory.SelfHarm, true),
        ("illicit", ModerationCategory.Dangerous, false), ("illicit/violent", ModerationCategory.Dangerous, true),
        ("harassment", ModerationCategory.Harassment, false), ("harassment/threatening", ModerationCategory.Harassment, true),
    ];

    /// <summary>Per category the most severe finding the scores give.</summary>
    private IEnumerable<ModerationFinding> Findings(ModerationResult result, string field, string passage)
    {
        var best = new Dictionary<ModerationCategory, (int Severity, string Key, double Score)>();
        foreach (var (key, category, severe) in Map)
        {
            var score = result.Scores?.GetValueOrDefault(key) ?? 0;
            if (result.Categories?.GetValueOrDefault(key) == true) score = Math.Max(score, 0.5);
            var severity = severe ? (score >= 0.5 ? 3 : 0) : score >= 0.5 ? 2 : score >= 0.2 ? 1 : 0;
            if (severity == 0) continue;
            if (!best.TryGetValue(category, out var have) || have.Severity < severity || have.Severity == severity && have.Score < score)
                best[category] = (severity, key, score);
        }
        return best.Select(kv => new ModerationFinding(kv.Key, kv.Value.Severity, field, passage, Name,
            string.Create(CultureInfo.InvariantCulture, $"{kv.Value.Key} {kv.Value.Score:0.00}")));
    }

    private static string Excerpt(string text)
    {
        var flat = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return flat.Length <= 160 ? flat : flat[..159] + "\u2026";
    }

    private sealed record ModerationResponse([property: JsonPropertyName("results")] List<ModerationResult>? Results);

    private sealed record ModerationResult(
        [property: JsonPropertyName("flagged")] bool Flagged,
        [property: JsonPropertyName("categories")] Dictionary<string, bool?>? Categories,
        [property: JsonPropertyName("category_scores")] Dictionary<string, double>? Scores);
}
