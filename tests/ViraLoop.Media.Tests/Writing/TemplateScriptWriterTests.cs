using ViraLoop.Media.Writing;

namespace ViraLoop.Media.Tests.Writing;

public sealed class TemplateScriptWriterTests
{
    [Theory]
    [InlineData("en", "Why octopuses are smart")]
    [InlineData("pl", "Dlaczego ośmiornice są mądre")]
    public void Write_TopicFor30Seconds_Gives4To8ScenesWithHookAndCallToAction(string lang, string topic)
    {
        var s = TemplateScriptWriter.Write(new VideoRequest { Topic = topic, Language = lang, DurationSeconds = 30 });
        Assert.InRange(s.Scenes.Count, 4, 8);
        Assert.Equal(SceneKind.Hook, s.Scenes[0].Kind);
        Assert.Equal(SceneKind.CallToAction, s.Scenes[^1].Kind);
        Assert.All(s.Scenes, x => Assert.NotEmpty(x.Keywords));
        Assert.Equal(lang, s.Language);
        Assert.InRange(s.Scenes.Sum(x => x.DurationSeconds), 27, 36);
    }

    [Fact]
    public void Write_Polish_UsesPolishWords()
    {
        var s = TemplateScriptWriter.Write(new VideoRequest { Topic = "Kawa", Language = "pl", DurationSeconds = 30 });
        var all = string.Join(" ", s.Scenes.Select(x => x.Narration));
        Assert.Contains(all, c => "ąćęłńóśźż".Contains(c));
        Assert.Contains("Obserwuj", all);
    }

    [Fact]
    public void Write_EachHookType_GivesADifferentHookContainingTheTopic()
    {
        var hooks = new[] { "question", "bold-claim", "number", "story", "contrarian" }
            .Select(h => TemplateScriptWriter.Write(new VideoRequest { Topic = "black holes", Hook = h, DurationSeconds = 20, Seed = 1 }).Scenes[0].Narration)
            .ToList();
        Assert.Equal(5, hooks.Distinct().Count());
        Assert.All(hooks, h => Assert.Contains("black holes", h, StringComparison.OrdinalIgnoreCase));
    }

    [Theory]
    [InlineData("Why whales sing", "number", "about why whales sing")]
    [InlineData("Black holes", "number", "about Black holes")]
    public void Write_TopicInsideTheHook_ReadsAsASentence(string topic, string hook, string expected) =>
        Assert.Contains(expected, TemplateScriptWriter.Write(new VideoRequest { Topic = topic, Hook = hook, Seed = 0, DurationSeconds = 20 }).Scenes[0].Narration);

    [Fact]
    public void Write_UserText_KeepsEverySentence_AndAddsHookAndCallToAction()
    {
        var text = "- Octopuses have three hearts.\n- Their blood is blue because of copper.\n- Each arm has its own cluster of neurons.\n- They can change colour in a fraction of a second.";
        var s = TemplateScriptWriter.Write(new VideoRequest { Topic = "Octopus facts", Text = text, DurationSeconds = 30 });
        var all = string.Join(" ", s.Scenes.Select(x => x.Narration));
        foreach (var fact in new[] { "three hearts", "blue because of copper", "own cluster of neurons", "fraction of a second" })
            Assert.Contains(fact, all);
        Assert.Equal(SceneKind.Hook, s.Scenes[0].Kind);
        Assert.Equal(SceneKind.CallToAction, s.Scenes[^1].Kind);
        Assert.Equal("template+user-text", s.Writer);
    }

    [Fact]
    public void Write_SceneList_IsUsedAsGiven()
    {
        var scenes = new[]
        {
            new SceneInput { Text = "Stop scrolling.", Keywords = ["stop"], Duration = 2 },
            new SceneInput { Text = "Here is the trick.", Duration = 3 },
            new SceneInput { Text = "Follow for part two.", Duration = 2 },
        };
        var s = TemplateScriptWriter.Write(new VideoRequest { Topic = "Trick", Scenes = scenes, DurationSeconds = 7 });
        Assert.Equal(["Stop scrolling.", "Here is the trick.", "Follow for part two."], s.Scenes.Select(x => x.Narration));
        Assert.Equal(["STOP"], s.Scenes[0].Keywords);
        Assert.Equal([2.0, 3.0, 2.0], s.Scenes.Select(x => x.DurationSeconds));
    }

    [Theory]
    [InlineData("", "en", 30, "topic is empty")]
    [InlineData("   ", "en", 30, "topic is empty")]
    [InlineData("x", "xx", 30, "Unknown language 'xx'")]
    [InlineData("x", "en", 1, "out of range")]
    [InlineData("x", "en", 1000, "out of range")]
    public void Validate_BadInput_SaysWhatIsWrong(string topic, string lang, double duration, string expected)
    {
        var e = Assert.Throws<MediaInputException>(() => TemplateScriptWriter.Validate(new VideoRequest { Topic = topic, Language = lang, DurationSeconds = duration }));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Validate_TenKilobyteTopic_IsRefused()
    {
        var e = Assert.Throws<MediaInputException>(() => TemplateScriptWriter.Validate(new VideoRequest { Topic = new string('a', 10_240) }));
        Assert.Contains("10240 characters", e.Message);
    }

    [Fact]
    public void FontCoverage_RefusesScriptsTheFontCannotDraw()
    {
        Captions.FontCoverage.Ensure(["Zażółć gęślą jaźń", "Ελληνικά", "Кириллица", "漢字", "العربية", "🐙"]);
        var e = Assert.Throws<MediaInputException>(() => Captions.FontCoverage.Ensure([char.ConvertFromUtf32(0x18B00)]));
        Assert.Contains("U+18B00", e.Message);
    }
}
