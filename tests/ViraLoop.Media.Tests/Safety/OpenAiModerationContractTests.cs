using System.Text.Json;
using ViraLoop.Media.Safety.Moderation;

namespace ViraLoop.Media.Tests.Safety;

/// <summary>
/// The OpenAI-compatible moderation endpoint, against a local server that follows the documented contract
/// (<c>POST /v1/moderations</c>, bearer key, <c>model</c> and <c>input</c> as a string array or multi-modal parts,
/// <c>results</c> with <c>flagged</c>, <c>categories</c> and <c>category_scores</c> per input).
/// </summary>
[Collection("local api servers")]
public sealed class OpenAiModerationContractTests
{
    private const string Key = "sk-test-moderation-0123456789abcdef";

    private static readonly string[] Categories =
    [
        "harassment", "harassment/threatening", "hate", "hate/threatening", "illicit", "illicit/violent", "self-harm",
        "self-harm/intent", "self-harm/instructions", "sexual", "sexual/minors", "violence", "violence/graphic",
    ];

    /// <summary>One result in the documented shape: every category with a boolean and a score.</summary>
    private static object Result(Dictionary<string, double> scores) => new Dictionary<string, object>
    {
        ["flagged"] = scores.Values.Any(v => v >= 0.5),
        ["categories"] = Categories.ToDictionary(c => c, c => scores.GetValueOrDefault(c) >= 0.5),
        ["category_scores"] = Categories.ToDictionary(c => c, c => scores.GetValueOrDefault(c, 0.0001)),
        ["category_applied_input_types"] = Categories.ToDictionary(c => c, _ => new[] { "text" }),
    };

    /// <summary>The vendor's judgement in these tests: a few phrases the offline rules do not know, and one image.</summary>
    private static Dictionary<string, double> Judge(string text) => text switch
    {
        _ when text.Contains("raid the village", StringComparison.OrdinalIgnoreCase) => new() { ["violence"] = 0.83 },
        _ when text.Contains("you will regret", StringComparison.OrdinalIgnoreCase) => new() { ["harassment"] = 0.7, ["harassment/threatening"] = 0.66 },
        _ when text.Contains("battle", StringComparison.OrdinalIgnoreCase) => new() { ["violence"] = 0.25 },
        _ => [],
    };

    private static LocalApiServer Server(byte[] flaggedImage, int status = 200) => new(req =>
    {
        if (req.Method != "POST" || req.PathAndQuery != "/v1/moderations") return LocalApiServer.Json("""{"error":{"message":"Not found","type":"invalid_request_error"}}""", 404);
        if (req.Headers.GetValueOrDefault("Authorization") != $"Bearer {Key}")
            return LocalApiServer.Json(JsonSerializer.Serialize(new { error = new { message = $"Incorrect API key provided: {req.Headers.GetValueOrDefault("Authorization")}", type = "invalid_request_error", code = "invalid_api_key" } }), 401);
        if (status != 200) return LocalApiServer.Json("""{"error":{"message":"The server had an error","type":"server_error"}}""", status);
        using var doc = JsonDocument.Parse(req.Body);
        var model = doc.RootElement.GetProperty("model").GetString();
        if (model != "omni-moderation-latest") return LocalApiServer.Json("""{"error":{"message":"unknown model","type":"invalid_request_error"}}""", 400);
        var input = doc.RootElement.GetProperty("input");
        var results = new List<object>();
        if (input.ValueKind == JsonValueKind.String) results.Add(Result(Judge(input.GetString()!)));
        else if (input.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String))
            results.AddRange(input.EnumerateArray().Select(e => Result(Judge(e.GetString()!))));
        else
        {
            // Multi-modal parts: one result for them all.
            var scores = new Dictionary<string, double>();
            foreach (var part in input.EnumerateArray())
            {
                if (part.GetProperty("type").GetString() == "image_url")
                {
                    var url = part.GetProperty("image_url").GetProperty("url").GetString()!;
                    if (!url.StartsWith("data:image/png;base64,", StringComparison.Ordinal)) return LocalApiServer.Json("""{"error":{"message":"bad image_url","type":"invalid_request_error"}}""", 400);
                    if (Convert.FromBase64String(url[(url.IndexOf(',') + 1)..]).AsSpan().SequenceEqual(flaggedImage))
                        scores["violence"] = 0.91;
                }
                else if (part.GetProperty("type").GetString() == "text")
                    foreach (var (k, v) in Judge(part.GetProperty("text").GetString()!)) scores[k] = v;
            }
            results.Add(Result(scores));
        }
        return LocalApiServer.Json(JsonSerializer.Serialize(new { id = "modr-1", model = "omni-moderation-2024-09-26", results }));
    });

    private static readonly byte[] RedPng = Png(255, 0, 0);
    private static readonly byte[] BluePng = Png(0, 0, 255);

    /// <summary>A tiny valid PNG of one colour (4×4, 8-bit RGB), made here.</summary>
    private static byte[] Png(byte r, byte g, byte b)
    {
        var raw = new List<byte>();
        for (var y = 0; y < 4; y++) { raw.Add(0); for (var x = 0; x < 4; x++) raw.AddRange([r, g, b]); }
        using var zipped = new MemoryStream();
        using (var z = new System.IO.Compression.ZLibStream(zipped, System.IO.Compression.CompressionLevel.Optimal, leaveOpen: true)) z.Write(raw.ToArray());
        using var png = new MemoryStream();
        png.Write([137, 80, 78, 71, 13, 10, 26, 10]);
        void Chunk(string type, byte[] data)
        {
            var len = new byte[4];
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(len, data.Length);
            png.Write(len);
            var typed = System.Text.Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
            png.Write(typed);
            var crc = new byte[4];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(typed));
            png.Write(crc);
        }
        Chunk("IHDR", [0, 0, 0, 4, 0, 0, 0, 4, 8, 2, 0, 0, 0]);
        Chunk("IDAT", zipped.ToArray());
        Chunk("IEND", []);
        return png.ToArray();
    }

    private static uint Crc32(byte[] data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }
        return ~crc;
    }

    [Fact]
    public async Task Texts_GoAsOneArray_AndScoresBecomeFindings_TheRulesDidNotMake()
    {
        using var server = Server(RedPng);
        var moderation = new ContentModeration(new OpenAiModerator(new HttpClient(), new OpenAiModerationOptions(Key, server.BaseUrl)));
        var texts = new[]
        {
            new ModerationText("topic", "Vikings: the night they raid the village", "en"),
            new ModerationText("text", "Honey never spoils.", "en"),
        };
        var verdict = await moderation.CheckTextAsync(texts, ModerationPolicy.Default);
        var request = Assert.Single(server.Requests);
        using (var body = JsonDocument.Parse(request.Body))
        {
            Assert.Equal("omni-moderation-latest", body.RootElement.GetProperty("model").GetString());
            Assert.Equal(["Vikings: the night they raid the village", "Honey never spoils."],
                body.RootElement.GetProperty("input").EnumerateArray().Select(e => e.GetString()!).ToArray());
        }
        Assert.False(verdict.Allowed);
        Assert.Equal(ModerationCategory.Violence, verdict.Blocking!.Category);
        Assert.Equal(2, verdict.Blocking.Severity);
        Assert.Equal("openai", verdict.Blocking.Source);
        Assert.Equal("topic", verdict.Blocking.Field);
        Assert.Contains("violence 0.83", verdict.Blocking.Reason);
        Assert.Equal("rules+openai", moderation.Describe());
        Assert.True(RulesAlone(texts).Allowed); // the rules alone let it through
    }

    [Fact]
    public async Task SevereSubCategories_AreSeverity3_AndALowScoreIsAMention()
    {
        using var server = Server(RedPng);
        var moderator = new OpenAiModerator(new HttpClient(), new OpenAiModerationOptions(Key, server.BaseUrl));
        var findings = await moderator.CheckTextAsync([new("topic", "You will regret crossing me, Dave"), new("text", "The battle of Grunwald")]);
        var threat = Assert.Single(findings, f => f.Field == "topic");
        Assert.Equal((ModerationCategory.Harassment, 3), (threat.Category, threat.Severity));
        var mention = Assert.Single(findings, f => f.Field == "text");
        Assert.Equal((ModerationCategory.Violence, 1), (mention.Category, mention.Severity));
        // Relaxed about harassment still refuses a threat; the standard policy allows a mention.
        var relaxed = ModerationPolicy.FromSettings(new Dictionary<string, string> { ["harassment"] = "relaxed" });
        Assert.False(ContentModeration.Decide(findings, relaxed, []).Allowed);
        Assert.True(ContentModeration.Decide([mention], ModerationPolicy.Default, []).Allowed);
    }

    [Fact]
    public async Task AnImage_GoesAsADataUrl_AndTheVendorsVerdictComesBack()
    {
        using var server = Server(RedPng);
        var moderation = new ContentModeration(new OpenAiModerator(new HttpClient(), new OpenAiModerationOptions(Key, server.BaseUrl)));
        var flagged = await moderation.CheckImageAsync(RedPng, "image/png", "scene 2 still", ModerationPolicy.Default);
        Assert.False(flagged.Allowed);
        Assert.Equal((ModerationCategory.Violence, "scene 2 still"), (flagged.Blocking!.Category, flagged.Blocking.Field));
        Assert.True((await moderation.CheckImageAsync(BluePng, "image/png", "scene 1 still", ModerationPolicy.Default)).Allowed);
        using var body = JsonDocument.Parse(server.Requests[0].Body);
        var part = Assert.Single(body.RootElement.GetProperty("input").EnumerateArray());
        Assert.Equal("image_url", part.GetProperty("type").GetString());
        Assert.StartsWith("data:image/png;base64,", part.GetProperty("image_url").GetProperty("url").GetString());
        // The offline rules cannot see images: without an endpoint an image is not judged.
        Assert.True((await ContentModeration.Offline.CheckImageAsync(RedPng, "image/png", "still", ModerationPolicy.Default)).Allowed);
    }

    [Theory]
    [InlineData("wrong-key")]
    [InlineData("server-error")]
    [InlineData("unreachable")]
    public async Task AnEndpointThatFails_LeavesTheRulesToDecide_WithANote_AndNeverTheKey(string failure)
    {
        using var server = Server(RedPng, failure == "server-error" ? 500 : 200);
        var key = failure == "wrong-key" ? "sk-wrong-key-9876543210" : Key;
        var url = failure == "unreachable" ? "http://127.0.0.1:9" : server.BaseUrl;
        var moderation = new ContentModeration(new OpenAiModerator(new HttpClient(), new OpenAiModerationOptions(key, url, TimeoutSeconds: 5)));
        var texts = new[] { new ModerationText("topic", "How to make a pipe bomb", "en") };
        var verdict = await moderation.CheckTextAsync(texts, ModerationPolicy.Default);
        Assert.False(verdict.Allowed); // the rules still refuse it
        Assert.Equal("rules", verdict.Blocking!.Source);
        var note = Assert.Single(verdict.Notes);
        Assert.Contains("openai moderation was not reached", note);
        Assert.DoesNotContain(key, note);
        Assert.DoesNotContain(key, verdict.Describe());
        var clean = await moderation.CheckTextAsync([new("topic", "Honey never spoils", "en")], ModerationPolicy.Default);
        Assert.True(clean.Allowed);
        Assert.Single(clean.Notes);
    }

    [Fact]
    public void TheEnvironment_ChoosesTheEndpoint_AndRefusesNonsense()
    {
        Environment.SetEnvironmentVariable("VIRALOOP_MODERATION", "magic");
        try
        {
            Assert.Contains("use rules", Assert.Throws<MediaInputException>(() => OpenAiModerationOptions.FromEnvironment()).Message);
            Environment.SetEnvironmentVariable("VIRALOOP_MODERATION", "rules");
            Assert.Null(OpenAiModerationOptions.FromEnvironment());
        }
        finally
        {
            Environment.SetEnvironmentVariable("VIRALOOP_MODERATION", null);
        }
    }

    private static ModerationVerdict RulesAlone(IReadOnlyList<ModerationText> texts) =>
        ContentModeration.Decide(new RuleModerator().CheckTextAsync(texts).Result, ModerationPolicy.Default, []);
}
