using System.ClientModel;
using OpenAI;
using OpenAI.Audio;

namespace ViraLoop.Media.Speech;

/// <summary>OpenAI text-to-speech (POST /audio/speech, WAV). It returns no word times, so they are spread over the voiced span.</summary>
public sealed class OpenAiSpeechSynthesizer(string baseUrl, string apiKey, string model = "gpt-4o-mini-tts", string voice = "alloy") : ISpeechSynthesizer
{
    public string Name => $"openai:{model}";

    public async Task<SpeechResult> SynthesizeAsync(SpeechRequest request, string outputPath, CancellationToken cancellationToken = default)
    {
        var client = new AudioClient(model, new ApiKeyCredential(apiKey), new OpenAIClientOptions { Endpoint = new Uri(baseUrl) });
        BinaryData audio;
        try
        {
            audio = (await client.GenerateSpeechAsync(request.Text, new GeneratedSpeechVoice(request.Voice ?? voice),
                new SpeechGenerationOptions { ResponseFormat = GeneratedSpeechFormat.Wav, SpeedRatio = (float)Math.Clamp(request.Speed, 0.25, 4) },
                cancellationToken)).Value;
        }
        catch (ClientResultException e)
        {
            throw new InvalidOperationException($"OpenAI speech at {baseUrl} answered HTTP {e.Status}: {e.Message}", e);
        }
        var wav = WavFile.Parse(audio.ToMemory().Span, "OpenAI speech");
        return WordTimings.Finish(wav, outputPath, request.Text, request.Voice ?? voice, language: request.Language);
    }
}
