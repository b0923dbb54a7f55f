using System.Net.Http.Json;
using System.Text.Json.Serialization;

namespace ViraLoop.Media.Speech;

/// <summary>
/// ElevenLabs text-to-speech with timestamps (POST /v1/text-to-speech/{voice_id}/with-timestamps, output_format
/// pcm_22050): base64 PCM plus per-character times, which give exact word times for the captions.
/// </summary>
public sealed class ElevenLabsSpeechSynthesizer(HttpClient http, string apiKey, string voiceId, string model = "eleven_multilingual_v2") : ISpeechSynthesizer
{
    public const int SampleRate = 22050;

    public string Name => $"elevenlabs:{model}";

    public async Task<SpeechResult> SynthesizeAsync(SpeechRequest request, string outputPath, CancellationToken cancellationToken = default)
    {
        var voice = request.Voice ?? voiceId;
        using var message = new HttpRequestMessage(HttpMethod.Post, $"v1/text-to-speech/{Uri.EscapeDataString(voice)}/with-timestamps?output_format=pcm_{SampleRate}")
        {
            Content = JsonContent.Create(new
            {
                text = request.Text,
                model_id = model,
                language_code = request.Language,
                voice_settings = new { speed = Math.Clamp(request.Speed, 0.7, 1.2) },
            }),
        };
        message.Headers.Add("xi-api-key", apiKey);
        using var response = await http.SendAsync(message, cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"ElevenLabs answered HTTP {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
        var body = await response.Content.ReadFromJsonAsync<TimestampedAudio>(cancellationToken)
            ?? throw new InvalidOperationException("ElevenLabs returned an empty body.");
        var pcm = Convert.FromBase64String(body.AudioBase64 ?? "");
        var samples = new short[pcm.Length / 2];
        Buffer.BlockCopy(pcm, 0, samples, 0, samples.Length * 2);
        var wav = new WavFile(SampleRate, 1, samples);
        return WordTimings.Finish(wav, outputPath, request.Text, voice, exact: Words(body.Alignment));
    }

    /// <summary>Groups the per-character alignment into words (split on whitespace).</summary>
    internal static IReadOnlyList<WordTiming>? Words(Alignment? a)
    {
        if (a?.Characters is not { Count: > 0 } chars || a.Starts is null || a.Ends is null) return null;
        var words = new List<WordTiming>();
        var current = new System.Text.StringBuilder();
        double start = 0, end = 0;
        for (int i = 0; i < chars.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(chars[i]))
            {
                if (current.Length > 0) words.Add(new WordTiming(current.ToString(), start, end));
                current.Clear();
                continue;
            }
            if (current.Length == 0) start = a.Starts[i];
            current.Append(chars[i]);
            end = a.Ends[i];
        }
        if (current.Length > 0) words.Add(new WordTiming(current.ToString(), start, end));
        return words;
    }

    internal sealed class TimestampedAudio
    {
        [JsonPropertyName("audio_base64")] public string? AudioBase64 { get; set; }
        [JsonPropertyName("alignment")] public Alignment? Alignment { get; set; }
    }

    internal sealed class Alignment
    {
        [JsonPropertyName("characters")] public List<string>? Characters { get; set; }
        [JsonPropertyName("character_start_times_seconds")] public List<double>? Starts { get; set; }
        [JsonPropertyName("character_end_times_seconds")] public List<double>? Ends { get; set; }
    }
}
