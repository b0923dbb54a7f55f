using ViraLoop.Media.Pipeline.Steps;
using ViraLoop.Media.Writing;

namespace ViraLoop.Media.Tests.Pipeline.Steps;

public sealed class ScriptStepTests
{
    [Fact]
    public async Task RunAsync_SameRequestAndSeed_SameScript()
    {
        var request = new VideoRequest { Topic = "Why octopuses are smart", Seed = 7, DurationSeconds = 20 };
        var a = (await new ScriptStep(new TemplateScriptWriter()).RunAsync(new ScriptSpec(request))).Script;
        var b = (await new ScriptStep(new TemplateScriptWriter()).RunAsync(new ScriptSpec(request))).Script;
        Assert.True(a.Scenes.Count >= 3);
        Assert.Equal(a.Title, b.Title);
        Assert.Equal(a.Scenes.Select(s => (s.Kind, s.Narration, string.Join('|', s.Keywords))), b.Scenes.Select(s => (s.Kind, s.Narration, string.Join('|', s.Keywords))));
        Assert.Equal(SceneKind.Hook, a.Scenes[0].Kind);
    }

    [Fact]
    public async Task RunAsync_TextTheCaptionFontCannotDraw_ThrowsMediaInputException()
    {
        var writer = new FixedWriter(new Script("Title", "en", "question",
            [new SceneScript(0, SceneKind.Hook, "Hello 你好 " + char.ConvertFromUtf32(0x18B00), [], "", 2)], "fixed"));
        // (An LLM's script in Khitan: no installed font has it; Chinese is drawn.)
        var e = await Assert.ThrowsAsync<MediaInputException>(() => new ScriptStep(writer).RunAsync(new ScriptSpec(new VideoRequest { Topic = "Hello" })));
        Assert.Contains("U+18B00", e.Message);
        Assert.DoesNotContain("U+4F60", e.Message);
    }

    [Fact]
    public async Task RunAsync_WriterReturnsNoScenes_Throws()
    {
        var writer = new FixedWriter(new Script("Title", "en", "question", [], "fixed"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => new ScriptStep(writer).RunAsync(new ScriptSpec(new VideoRequest { Topic = "Hello" })));
    }

    private sealed class FixedWriter(Script script) : IScriptWriter
    {
        public Task<Script> WriteAsync(VideoRequest request, CancellationToken cancellationToken = default) => Task.FromResult(script);
    }
}
