using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ViraLoop.Media.Safety.Moderation;
using ViraLoop.Media.Tests.Visuals.Backends;
using Xunit;

namespace ViraLoop.Api.Tests;

/// <summary>
/// Hostile strings in every field of a real job: captions show them as text (ASS override codes and ffmpeg filter syntax
/// stay words), the manifest keeps them exactly, bad characters are refused before anything is made; and no secret (API
/// key, admin key, a vendor key) is ever in a log line, a manifest or an error.
/// </summary>
[Collection("local api servers")]
public sealed class HostileInputTests
{
    private const string VendorKey = "sk-vendor-secret-4242424242";

    private sealed class LogSink : ILoggerProvider
    {
        public ConcurrentQueue<string> Lines { get; } = new();
        public ILogger CreateLogger(string category) => new Logger(this, category);
        public void Dispose() { }

        private sealed class Logger(LogSink sink, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel level) => true;
            public void Log<TState>(LogLevel level, EventId id, TState state, Exception? e, Func<TState, Exception?, string> format) =>
                sink.Lines.Enqueue($"{level} {category}: {format(state, e)} {e}");
        }
    }

    private sealed class LoggedApiFactory(LogSink sink, string moderationUrl) : ApiFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureLogging(l => l.SetMinimumLevel(LogLevel.Trace).AddProvider(sink));
            builder.ConfigureTestServices(s => s.AddSingleton(new ContentModeration(new OpenAiModerator(new HttpClient(), new OpenAiModerationOptions(VendorKey, moderationUrl)))));
        }
    }

    private static readonly string[] Hostile =
    [
        "{\\c&H0000FF&\\fs200}Owls hunt at night",
        "<script>alert('owl')</script> and <img src=x onerror=alert(2)>",
        "drawtext=text='x':fontfile=/etc/passwd [0:v]scale=1:1[out]; movie=/etc/shadow",
        "../../etc/passwd and ..\\..\\windows; rm -rf / $(whoami) `id`",
        "Quotes \" ' \u201c \u201d and 50% of 100%: done",
    ];

    [Fact]
    public async Task HostileStrings_InEveryField_AreWordsInCaptionsAndExactInTheManifest_AndSecretsNeverLeak()
    {
        // The moderation vendor refuses our key and echoes it back, as OpenAI's 401 does (partly).
        using var vendor = new VendorContractServer(r => VendorContractServer.Response.Json(new
        {
            error = new { message = $"Incorrect API key provided: {r.Headers.GetValueOrDefault("Authorization")}", type = "invalid_request_error", code = "invalid_api_key" },
        }, 401));
        var sink = new LogSink();
        await using var api = new LoggedApiFactory(sink, vendor.BaseUrl);
        var (http, tenantKey) = await api.TenantAsync("hostile-co");

        var order = new
        {
            topic = "Owls {\\an8}<b>'\"; [in]null[out]",
            scenes = Hostile.Select((t, i) => new { text = t, keywords = new[] { i % 2 == 0 ? "{\\b1}owl" : "<i>owl</i>" }, visual = "../../../etc/passwd" }).Take(3).ToArray(),
            durationSeconds = 6, preview = true, seed = 5,
        };
        var r = await http.PostAsJsonAsync("/v1/videos", order);
        Assert.True(r.StatusCode == HttpStatusCode.Accepted, await r.Content.ReadAsStringAsync());
        var id = (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        await Sse.ReadAllAsync(http, $"/v1/videos/{id}/events", TimeSpan.FromSeconds(180),
            e => e.Type == "progress" && e.Data.GetProperty("status").GetString() is "failed" or "completed" or "cancelled" or "rejected");
        var job = await http.GetFromJsonAsync<JsonElement>($"/v1/videos/{id}");
        Assert.True(job.GetProperty("status").GetString() == "completed", job.ToString());

        // Captions: the user's override codes are words, never tags (only ours start with "{\").
        var captions = await http.GetStringAsync($"/v1/videos/{id}/captions.ass");
        Assert.DoesNotContain("{\\c&H0000FF&", captions);
        Assert.DoesNotContain("{\\b1}", captions);
        Assert.Contains("(/c&H0000FF&/fs200)Owls", captions.Replace(" ", ""));
        Assert.Contains("Title: Owls (/an8)<b>'\"; [in]null[out]", captions);
        // The manifest keeps every string exactly as given (JSON-escaped, not altered).
        var manifest = await http.GetFromJsonAsync<JsonElement>($"/v1/videos/{id}/manifest.json");
        var text = manifest.GetRawText();
        using (var parsed = JsonDocument.Parse(text))
            Assert.Equal(order.topic, parsed.RootElement.GetProperty("request").GetProperty("topic").GetString());
        var video = await http.GetByteArrayAsync($"/v1/videos/{id}/video.mp4");
        Assert.True(video.Length > 10_000);

        // Characters no field may hold, and a 10 kB line: refused before anything is made.
        var before = (await http.GetFromJsonAsync<JsonElement>("/v1/videos")).GetProperty("total").GetInt32();
        foreach (var bad in new[] { "Owls\u0000", "Owls\u202Egnol", new string('x', 10_240), "Owls\u001b[31m" })
            await Problem.AssertAsync(await http.PostAsJsonAsync("/v1/videos", new { topic = bad, durationSeconds = 5, preview = true }), HttpStatusCode.BadRequest);
        await Problem.AssertAsync(await http.PostAsJsonAsync("/v1/videos", new { topic = "Owls", text = new string('y', 10_240) + "\u0000", durationSeconds = 5, preview = true }), HttpStatusCode.BadRequest);
        Assert.Equal(before, (await http.GetFromJsonAsync<JsonElement>("/v1/videos")).GetProperty("total").GetInt32());

        // Secrets: not in any log line, the manifest, the job's view or its notes (the vendor echoed its key back to us).
        var logs = string.Join("\n", sink.Lines);
        Assert.Contains("openai moderation was not reached", logs); // the failure was logged…
        foreach (var secret in new[] { VendorKey, tenantKey, ApiFactory.AdminKey, ApiFactory.JwtKey })
        {
            Assert.DoesNotContain(secret, logs);
            Assert.DoesNotContain(secret, text);
            Assert.DoesNotContain(secret, job.GetRawText());
        }
    }
}
