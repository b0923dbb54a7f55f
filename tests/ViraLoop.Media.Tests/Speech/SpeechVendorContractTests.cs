using System.Text.Json;
using ViraLoop.Media.Speech;

namespace ViraLoop.Media.Tests.Speech;

/// <summary>OpenAI TTS and ElevenLabs adapters against local servers that follow each vendor's documented contract.</summary>
[Collection("local api servers")]
public sealed class SpeechVendorContractTests
{
    [Fact]
    public async Task OpenAiSpeech_LocalServer_PostsAudioSpeechForWav_AndTimesWords()
    {
        var wavBytes = WavBytes(new WavFile(24000, 1, LocalApiServer.Tone(24000, 1.5)));
        using var server = new LocalApiServer(_ => (200, "audio/wav", wavBytes));
        var path = Path.Combine(Path.GetTempPath(), $"oai-{Guid.NewGuid():N}.wav");
        var r = await new OpenAiSpeechSynthesizer(server.BaseUrl + "/v1", "sk-test", "gpt-4o-mini-tts", "alloy")
            .SynthesizeAsync(new SpeechRequest("Three hearts, blue blood.", "en", 1.2), path);

        var req = Assert.Single(server.Requests);
        Assert.Equal("/v1/audio/speech", req.PathAndQuery);
        Assert.Equal("Bearer sk-test", req.Headers["Authorization"]);
        using var body = JsonDocument.Parse(req.Body);
        Assert.Equal("gpt-4o-mini-tts", body.RootElement.GetProperty("model").GetString());
        Assert.Equal("Three hearts, blue blood.", body.RootElement.GetProperty("input").GetString());
        Assert.Equal("alloy", body.RootElement.GetProperty("voice").GetString());
        Assert.Equal("wav", body.RootElement.GetProperty("response_format").GetString());
        Assert.Equal(1.2, body.RootElement.GetProperty("speed").GetDouble(), 3);

        // The silence around the tone is trimmed: the written file's length as ffprobe measures it, and the result agrees.
        double written = MediaProbe.Duration(await MediaProbe.ProbeAsync(path));
        Assert.InRange(written, 1.5, 1.7);
        Assert.Equal(written, r.DurationSeconds, 2);
        Assert.Equal(4, r.Words.Count);
        File.Delete(path);
    }

    [Fact]
    public async Task ElevenLabs_LocalServer_UsesWithTimestamps_AndTakesWordTimesFromAlignment()
    {
        const string text = "Hi there";
        var pcm = LocalApiServer.Tone(22050, 1.0, silenceAround: 0.1);
        var bytes = new byte[pcm.Length * 2];
        Buffer.BlockCopy(pcm, 0, bytes, 0, bytes.Length);
        var chars = text.Select(c => c.ToString()).ToArray();
        var starts = new[] { 0.10, 0.20, 0.35, 0.45, 0.55, 0.70, 0.80, 0.95 };
        var ends = new[] { 0.20, 0.30, 0.45, 0.55, 0.70, 0.80, 0.95, 1.05 };
        var response = JsonSerializer.Serialize(new
        {
            audio_base64 = Convert.ToBase64String(bytes),
            alignment = new { characters = chars, character_start_times_seconds = starts, character_end_times_seconds = ends },
            normalized_alignment = new { characters = chars, character_start_times_seconds = starts, character_end_times_seconds = ends },
        });
        using var server = new LocalApiServer(_ => LocalApiServer.Json(response));
        var http = new HttpClient { BaseAddress = new Uri(server.BaseUrl + "/") };
        var path = Path.Combine(Path.GetTempPath(), $"el-{Guid.NewGuid():N}.wav");
        var r = await new ElevenLabsSpeechSynthesizer(http, "xi-test", "voice123").SynthesizeAsync(new SpeechRequest(text, "en"), path);

        var req = Assert.Single(server.Requests);
        Assert.Equal("/v1/text-to-speech/voice123/with-timestamps?output_format=pcm_22050", req.PathAndQuery);
        Assert.Equal("xi-test", req.Headers["xi-api-key"]);
        using var body = JsonDocument.Parse(req.Body);
        Assert.Equal(text, body.RootElement.GetProperty("text").GetString());
        Assert.Equal("eleven_multilingual_v2", body.RootElement.GetProperty("model_id").GetString());

        Assert.Equal(["Hi", "there"], r.Words.Select(w => w.Word));
        // Exact times from the alignment, shifted by the leading silence that was trimmed (0.1 s tone start - 0.03 s margin).
        Assert.Equal(0.03, r.Words[0].Start, 2);
        Assert.Equal(0.98, r.Words[1].End, 2);
        File.Delete(path);
    }

    private static byte[] WavBytes(WavFile wav)
    {
        var p = Path.GetTempFileName();
        wav.Write(p);
        var b = File.ReadAllBytes(p);
        File.Delete(p);
        return b;
    }
}
