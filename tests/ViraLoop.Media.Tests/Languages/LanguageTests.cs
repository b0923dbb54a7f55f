using System.Text;
using ViraLoop.Media.Captions;
using ViraLoop.Media.Pipeline.Steps;
using ViraLoop.Media.Speech;
using ViraLoop.Media.Text;
using Xunit;

namespace ViraLoop.Media.Tests.Languages;

/// <summary>Language lookup, word breaking in unspaced scripts, emoji kept out of speech, and what the installed fonts draw.</summary>
public sealed class LanguageTests
{
    [Theory]
    [InlineData("en", "en", "en-us")]
    [InlineData("Arabic", "ar", "ar")]
    [InlineData("arabic", "ar", "ar")]
    [InlineData("العربية", "ar", "ar")]
    [InlineData("हिन्दी", "hi", "hi")]
    [InlineData("Chinese", "zh", "cmn")]
    [InlineData("zh-CN", "zh", "cmn")]
    [InlineData("pt-BR", "pt", "pt-br")]
    [InlineData("Swahili", "sw", "sw")]     // not curated: read from espeak-ng --voices
    [InlineData("sw", "sw", "sw")]
    [InlineData("Portuguese_(Portugal)", "pt", "pt")]   // the variant asked for: espeak-ng's European voice
    public void Language_IsFound_ByCodeOrName(string typed, string code, string voice)
    {
        var l = Media.Languages.Get(typed);
        Assert.Equal(code, l.Code);
        Assert.Equal(voice, l.EspeakVoice);
    }

    [Fact]
    public void Directions_AndSpacing_AreKnown()
    {
        Assert.True(Media.Languages.Get("ar").RightToLeft);
        Assert.True(Media.Languages.Get("he").RightToLeft);
        Assert.False(Media.Languages.Get("hi").RightToLeft);
        Assert.False(Media.Languages.Get("zh").SpacedWords);
        Assert.False(Media.Languages.Get("th").SpacedWords);
        Assert.True(Media.Languages.Get("ko").SpacedWords);
    }

    [Theory]
    [InlineData("arabik", "ar (")]
    [InlineData("frnch", "fr (")]
    [InlineData("xx", null)]
    public void UnknownLanguage_IsRefused_WithNearMatches(string typed, string? suggestion)
    {
        var e = Assert.Throws<MediaInputException>(() => Media.Languages.Get(typed));
        Assert.Contains($"Unknown language '{typed}'", e.Message);
        if (suggestion is not null) Assert.Contains("Did you mean: " , e.Message);
        if (suggestion is not null) Assert.Contains(suggestion, e.Message);
        Assert.Contains("espeak-ng --voices", e.Message);
    }

    [Theory]
    [InlineData("zh", "章鱼是非常聪明的动物。", 4)]
    [InlineData("ja", "タコはとても賢い動物です。", 4)]
    [InlineData("th", "ปลาหมึกยักษ์ฉลาดมาก", 2)]
    public void UnspacedScripts_AreSegmentedIntoWords_AndJoinBack(string code, string text, int atLeast)
    {
        var lang = Media.Languages.Get(code);
        var words = WordBreaker.Words(text, lang);
        Assert.True(words.Count >= atLeast, $"{code}: [{string.Join(" | ", words)}]");
        Assert.True(words.All(w => w.Length <= 8), $"{code}: a word is a whole phrase: [{string.Join(" | ", words)}]");
        Assert.Equal(text, WordBreaker.Join(words, lang));
        // Punctuation stays with the word before it: no caption word is only "。".
        Assert.DoesNotContain(words, w => w is "。" or "、");
    }

    [Fact]
    public void SpacedLanguages_KeepTheirWords_AsWritten()
    {
        var en = Media.Languages.Get("en");
        Assert.Equal(["Octopuses", "are", "smart,", "really!"], WordBreaker.Words("Octopuses are  smart, really!", en));
        // A Latin brand inside Chinese keeps its spaces; Chinese around it has none.
        var zh = Media.Languages.Get("zh");
        var mixed = WordBreaker.Words("我喜欢 iPhone 手机", zh);
        Assert.Contains("iPhone", mixed);
        Assert.Equal("我喜欢 iPhone 手机", WordBreaker.Join(mixed, zh));
    }

    [Fact]
    public void Emoji_AreShown_ButNeverSpoken()
    {
        Assert.Equal("I love octopuses!", Emoji.StripForSpeech("I love 🐙 octopuses 👩‍👩‍👧!"));
        Assert.Equal("Flags", Emoji.StripForSpeech("Flags 🇵🇱🇯🇵"));
        Assert.Equal("Skin 👍🏽 tone".Replace(" 👍🏽", ""), Emoji.StripForSpeech("Skin 👍🏽 tone"));
        // A ZWJ inside Devanagari (not an emoji sequence) is kept.
        Assert.Equal("क्‍ष", Emoji.StripForSpeech("क्‍ष"));
        var runs = Emoji.Runs("Hi 👩‍👩‍👧 there").ToList();
        Assert.Equal([("Hi ", false), ("👩‍👩‍👧", true), (" there", false)], runs);
    }

    [Fact]
    public void EmojiOnlyWords_TakeNoTime_AndTheRestKeepTheSpokenTimes()
    {
        var narration = WordTimings.Tokens("Octopuses 🐙 are smart🚀", "en");
        var spoken = new List<WordTiming> { new("Octopuses", 0.1, 0.6), new("are", 0.7, 0.9), new("smart", 1.0, 1.4) };
        var words = SceneVoiceStep.Realign(narration, spoken);
        Assert.Equal(["Octopuses", "🐙", "are", "smart🚀"], words.Select(w => w.Word));
        Assert.Equal(words[1].Start, words[1].End);
        Assert.Equal(0.6, words[1].Start);
        Assert.Equal((1.0, 1.4), (words[3].Start, words[3].End));
    }

    [Fact]
    public void Captions_SetEmojiInTheOutlineEmojiFont_AndBreakUnspacedLines()
    {
        Assert.Equal("Hi {\\fnSymbola}🐙{\\fn}!", AssWriter.Text("Hi 🐙!"));
        // A long Chinese title is broken between words into lines no wider than asked.
        var zh = Media.Languages.Get("zh");
        var wrapped = AssWriter.Wrapped("章鱼是非常聪明的动物它们能很快解决各种问题", 6, zh);
        var lines = wrapped.Split("\\N");
        Assert.True(lines.Length >= 3, wrapped);
        Assert.All(lines, l => Assert.True(AssWriter.Ems(l) <= 6.01, $"line '{l}' is {AssWriter.Ems(l)} em"));
        Assert.Equal("章鱼是非常聪明的动物它们能很快解决各种问题", string.Concat(lines));
    }

    [Theory]
    [InlineData("مرحبا", "fonts-noto-core")]
    [InlineData("שלום", "fonts-noto-core")]
    [InlineData("नमस्ते", "fonts-noto-core")]
    [InlineData("สวัสดี", "fonts-noto-core")]
    [InlineData("你好", "fonts-noto-cjk")]
    [InlineData("こんにちは", "fonts-noto-cjk")]
    [InlineData("🐙", "fonts-symbola")]
    public async Task EveryScript_IsDrawable_WithThePackageTheScriptsInstall(string text, string package)
    {
        Assert.All(text.EnumerateRunes(), r => Assert.Equal(package, FontCoverage.PackageFor(r)));
        // scripts/deps.sh media installed the package, and fontconfig (not our table) says an installed font has the letters.
        FontCoverage.Ensure([text]);
        foreach (var r in text.EnumerateRunes())
        {
            var fc = await Tools.RunAsync("fc-list", [$":charset={r.Value:x}", "file"]);
            Assert.False(string.IsNullOrWhiteSpace(fc.StdOut), $"no installed font has U+{r.Value:X4}");
        }
    }

    [Fact]
    public void TextNoInstalledFontDraws_IsRefused_NamingThePackage()
    {
        // Khitan small script: no package the project installs has it.
        var khitan = char.ConvertFromUtf32(0x18B00);
        var e = Assert.Throws<MediaInputException>(() => FontCoverage.Ensure(["Ancient " + khitan]));
        Assert.Contains("U+18B00", e.Message);
        Assert.Contains("install fonts-noto-extra", e.Message);
        // Everything else in that text is drawable, so only that character is named.
        Assert.DoesNotContain("'A'", e.Message);
    }

    [Theory]
    [InlineData("Octo\u0000puses", "a control character (U+0000) at character 5")]
    [InlineData("Octopuses \u202Esesupotco", "a direction override (U+202E)")]
    [InlineData("Octopuses \u2067test", "a direction isolate (U+2067)")]
    [InlineData("Octo\u001B[31mpuses", "a control character (U+001B)")]
    public void ControlAndOverrideCharacters_AreRefused_NamingThem(string topic, string expected)
    {
        var e = Assert.Throws<MediaInputException>(() => ViraLoop.Media.Pipeline.Steps.VideoChoices.For(new VideoRequest { Topic = topic }));
        Assert.Contains(expected, e.Message);
        Assert.StartsWith("The topic contains", e.Message);
    }

    [Theory]
    [InlineData("الأخطبوط يحب iPhone جدا", "ar")]                 // mixed direction, no marks
    [InlineData("\u200Fשלום\u200E OK", "he")]                    // direction marks (not overrides)
    [InlineData("क्\u200Dष और मी\u200Cरा", "hi")]                // ZWJ / ZWNJ shaping Devanagari
    [InlineData("Octo\u200Bpuses\uFEFF are\u00AD smart", "en")]  // invisible separators
    [InlineData("Family 👩‍👩‍👧 time", "en")]
    public void NaturalText_InAnyDirection_IsAccepted(string topic, string language)
    {
        ViraLoop.Media.Pipeline.Steps.VideoChoices.For(new VideoRequest { Topic = topic, Language = language, Text = topic });
        FontCoverage.Ensure([topic]);
    }

    [Fact]
    public void InvisibleSeparators_SplitWords_AndAreNotSpoken()
    {
        Assert.Equal(["Octo", "puses", "are", "smart"], WordBreaker.Words("Octo\u200Bpuses\uFEFF are\u00AD smart"));
        Assert.Equal("Octo puses are smart", Emoji.StripForSpeech("Octo\u200Bpuses\uFEFF are\u00AD smart"));
    }

    [Theory]
    [InlineData("arabic", "arabik", 1)]
    [InlineData("", "abc", 3)]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("جدا", "حدا", 1)]
    public void EditDistance_CountsEdits(string a, string b, int expected)
    {
        Assert.Equal(expected, EditDistance.Of(a, b));
        Assert.Equal(expected, EditDistance.Of(b, a));
    }
}
