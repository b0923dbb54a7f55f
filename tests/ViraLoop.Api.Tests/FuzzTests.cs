using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit;

namespace ViraLoop.Api.Tests;

/// <summary>
/// 10,000 request bodies mutated from valid ones (wrong types, huge and hostile strings, unknown and missing fields, deep
/// nesting, broken JSON): never a 5xx, never a stack trace, and every refusal a problem document.
/// </summary>
public sealed class FuzzTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private static readonly string[] Hostile =
    [
        "", " ", "\u0000", "\u001b[31m", "\u202Eevil", "💥🎬", "../../etc/passwd", "%2e%2e%2f", "<script>alert(1)</script>", "' OR 1=1 --",
        "\ud83d", "null", "NaN", "1e309", "ﾠ", "\u200b", "C:\\Windows\\system32", "${jndi:ldap://x}", "\r\n\r\nHTTP/1.1 200 OK", new string('x', 5000),
        "high", "low", "standard", "procedural", "runway", "en", "pl", "ZZ", "calm", "kinetic",
    ];

    private static readonly string[] Fields =
    [
        "topic", "text", "scenes", "language", "durationSeconds", "style", "palette", "music", "hook", "preview", "seed",
        "priority", "visualBackend", "colour", "__proto__", "constructor", "requireApproval",
    ];

    private static JsonNode? RandomValue(Random r, int depth)
    {
        switch (r.Next(depth > 3 ? 8 : 11))
        {
            case 0: return null;
            case 1: return JsonValue.Create(r.Next(2) == 0);
            case 2: return JsonValue.Create(r.NextDouble() * Math.Pow(10, r.Next(-5, 12)) * (r.Next(2) == 0 ? -1 : 1));
            case 3: return JsonValue.Create(r.Next(int.MinValue, int.MaxValue));
            case 4:
            case 5:
            case 6: return JsonValue.Create(Hostile[r.Next(Hostile.Length)]);
            case 7: return JsonValue.Create(new string((char)r.Next(32, 0xD7FF), r.Next(0, 300)));
            case 8: return new JsonArray(Enumerable.Range(0, r.Next(0, 5)).Select(_ => RandomValue(r, depth + 1)).ToArray());
            case 9:
                var o = new JsonObject();
                for (var i = r.Next(0, 4); i > 0; i--) o[Fields[r.Next(Fields.Length)] + (r.Next(4) == 0 ? "x" : "")] = RandomValue(r, depth + 1);
                return o;
            default: return new JsonArray(new JsonObject { ["text"] = RandomValue(r, depth + 1), ["duration"] = RandomValue(r, depth + 1) });
        }
    }

    private static string Body(Random r)
    {
        var o = new JsonObject
        {
            ["topic"] = "Why the sky is blue", ["durationSeconds"] = 5, ["preview"] = true, ["requireApproval"] = true,
        };
        for (var i = r.Next(1, 5); i > 0; i--)
        {
            var field = Fields[r.Next(Fields.Length)];
            if (field == "requireApproval") continue; // never start a render from the fuzzer
            if (r.Next(6) == 0) o.Remove(field);
            else o[field] = RandomValue(r, 0);
        }
        var text = o.ToJsonString();
        return r.Next(12) switch
        {
            0 => text[..r.Next(text.Length)],                                   // cut short
            1 => text.Insert(r.Next(text.Length), ((char)r.Next(0, 128)).ToString()), // a stray character
            2 => new string('[', r.Next(10, 200)) + new string(']', r.Next(10, 200)), // deep nesting
            3 => Encoding.Latin1.GetString(Enumerable.Range(0, r.Next(1, 100)).Select(_ => (byte)r.Next(256)).ToArray()),
            _ => text,
        };
    }

    [Fact]
    public async Task TenThousandMutatedBodies_NeverA5xx_NeverAStackTrace()
    {
        var (http, _) = await api.TenantAsync("fuzz-co");
        using (var admin = api.Admin())
            Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync("/v1/admin/tenants/fuzz-co/plan",
                new { name = "fuzz", priorityCeiling = "standard", weight = 1, videosPerDay = 40, renderedSecondsPerMonth = 100000, requestsPerMinute = 1000000 })).StatusCode);
        var random = new Random(20261204);
        var statuses = new Dictionary<int, int>();
        var paths = new[] { "/v1/videos", "/v1/videos", "/v1/videos", "/v1/videos/vaaaaaaaaaaaaaaaaaaaa/approve", "/v1/videos/vaaaaaaaaaaaaaaaaaaaa/reject", "/v1/videos/vaaaaaaaaaaaaaaaaaaaa/cancel" };
        for (var i = 0; i < 10_000; i++)
        {
            var body = Body(random);
            var path = paths[random.Next(paths.Length)];
            var type = random.Next(20) == 0 ? "text/plain" : "application/json";
            var response = await http.PostAsync(path, new StringContent(body, Encoding.UTF8, type));
            var code = (int)response.StatusCode;
            statuses[code] = statuses.GetValueOrDefault(code) + 1;
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(code < 500, $"{code} for {path} {body}: {text}");
            Assert.DoesNotContain("   at ", text);
            Assert.DoesNotContain("Exception", text);
            if (code >= 400)
            {
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                Assert.False(string.IsNullOrWhiteSpace(JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString()));
            }
        }
        // The mix reached every kind of answer: accepted, refused as invalid, over quota, no such video.
        Assert.True(statuses.GetValueOrDefault(202) > 0, string.Join(", ", statuses));
        Assert.True(statuses.GetValueOrDefault(400) > 1000, string.Join(", ", statuses));
        Assert.True(statuses.GetValueOrDefault(403) > 0, string.Join(", ", statuses));
        Assert.True(statuses.GetValueOrDefault(404) > 0, string.Join(", ", statuses));
    }
}
