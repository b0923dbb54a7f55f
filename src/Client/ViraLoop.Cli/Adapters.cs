using ViraLoop.Media;
using ViraLoop.Media.Speech;
using ViraLoop.Media.Writing;

namespace ViraLoop.Cli;

/// <summary>Picks the script writer and voice from the command line; API keys come from the environment, never from arguments.</summary>
internal static class Adapters
{
    public static IScriptWriter Writer(string? llmUrl, string model)
    {
        if (llmUrl is null) return new TemplateScriptWriter();
        var key = Environment.GetEnvironmentVariable("VIRALOOP_LLM_API_KEY") ?? Environment.GetEnvironmentVariable("OPENAI_API_KEY")
            ?? throw new MediaInputException("--llm-url needs an API key in VIRALOOP_LLM_API_KEY or OPENAI_API_KEY.");
        return new OpenAiScriptWriter(new LlmOptions(llmUrl, model, key));
    }

    public static ISpeechSynthesizer Voice(string engine, string? url, string? voice) => engine.ToLowerInvariant() switch
    {
        "espeak" => new EspeakSynthesizer(),
        "openai" => new OpenAiSpeechSynthesizer(url ?? "https://api.openai.com/v1", Key("OPENAI_API_KEY"), voice: voice ?? "alloy"),
        "elevenlabs" => new ElevenLabsSpeechSynthesizer(new HttpClient { BaseAddress = new Uri((url ?? "https://api.elevenlabs.io").TrimEnd('/') + "/") },
            Key("ELEVENLABS_API_KEY"), voice ?? throw new MediaInputException("--tts elevenlabs needs --tts-voice VOICE_ID.")),
        _ => throw new MediaInputException($"Unknown voice engine '{engine}'. Known: espeak, openai, elevenlabs."),
    };

    private static string Key(string name) => Environment.GetEnvironmentVariable(name)
        ?? throw new MediaInputException($"This voice engine needs an API key in {name}.");
}
