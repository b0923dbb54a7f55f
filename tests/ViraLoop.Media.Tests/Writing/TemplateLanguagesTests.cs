using System.Text.RegularExpressions;
using ViraLoop.Media.Writing;

namespace ViraLoop.Media.Tests.Writing;

/// <summary>The offline writer's templates in every language it has them for, and topics phrased as questions.</summary>
public sealed partial class TemplateLanguagesTests
{
    private static readonly string[] HookTypes = ["question", "bold-claim", "number", "story", "contrarian"];

    private static readonly string[] TemplateLanguages = ["en", "pl", "es", "de", "fr", "pt", "ar", "hi"];

    /// <summary>Per language: a phrase topic, a question topic (with its mark) and the characters a sentence may end with.</summary>
    private static readonly (string Lang, string Topic, string Question, string Terminators)[] Rows =
    [
        ("en", "black holes", "Why do whales sing?", ".?!"),
        ("pl", "czarne dziury", "Dlaczego wieloryby śpiewają?", ".?!"),
        ("es", "agujeros negros", "¿Por qué cantan las ballenas?", ".?!"),
        ("de", "Schwarze Löcher", "Warum singen Wale?", ".?!"),
        ("fr", "les trous noirs", "Pourquoi les baleines chantent-elles?", ".?!"),
        ("pt", "buracos negros", "Por que as baleias cantam?", ".?!"),
        ("ar", "الثقوب السوداء", "لماذا تغني الحيتان؟", ".؟!"),
        ("hi", "ब्लैक होल", "व्हेल क्यों गाती हैं?", "।?!"),
    ];

    public static TheoryData<string, string, string, string> LanguageRows()
    {
        var data = new TheoryData<string, string, string, string>();
        foreach (var r in Rows) data.Add(r.Lang, r.Topic, r.Question, r.Terminators);
        return data;
    }

    public static TheoryData<string, string, string> LanguagesAndHooks()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var r in Rows)
            foreach (var hook in HookTypes)
                data.Add(r.Lang, r.Topic, hook);
        return data;
    }

    private static Script Write(string lang, string topic, string? hook = null, int seed = 1, double seconds = 30, string? text = null) =>
        TemplateScriptWriter.Write(new VideoRequest { Topic = topic, Language = lang, Hook = hook, Seed = seed, DurationSeconds = seconds, Text = text });

    [Fact]
    public void Codes_AreTheEightTemplateLanguages()
    {
        Assert.Equal(TemplateLanguages.Order(), ScriptTemplates.Codes.Order());
        foreach (var code in TemplateLanguages)
        {
            var t = ScriptTemplates.For(code)!;
            foreach (var hook in HookTypes)
            {
                Assert.Equal(2, t.Hooks[hook].Length);
                Assert.Equal(2, t.QuestionHooks[hook].Length);
                Assert.All(t.Hooks[hook].Concat(t.QuestionHooks[hook]), h => Assert.Single(Regex.Matches(h, @"\{0\}")));
            }
            Assert.Equal(6, t.Body.Length);
            Assert.All(t.Body, b => Assert.Equal(b.Keyword.ToUpper(ViraLoop.Media.Languages.Get(code).Culture), b.Keyword));
            Assert.Equal(2, t.CallToAction.Length);
            Assert.Equal(2, t.UserCallToAction.Length);
            Assert.True(t.StopWords.Count >= 40, $"{code}: {t.StopWords.Count} stop words");
        }
    }

    [Theory]
    [MemberData(nameof(LanguagesAndHooks))]
    public void TopicOnly_EveryHookType_HookHoldsTheTopicAndReadsAsASentence(string lang, string topic, string hookType)
    {
        var terminators = Rows.Single(r => r.Lang == lang).Terminators;
        foreach (var seed in new[] { 0, 1, 2, 3 })
        {
            var s = Write(lang, topic, hookType, seed);
            var hook = s.Scenes[0].Narration;
            Assert.Equal(SceneKind.Hook, s.Scenes[0].Kind);
            Assert.Contains(topic, hook, StringComparison.OrdinalIgnoreCase);
            AssertReadsAsSentences(lang, hook, terminators);
            AssertNoForeignLetters(lang, hook, topic);
            Assert.Equal(lang, s.Language);
            Assert.Equal(hookType, s.HookType);
            Assert.All(s.Scenes, x => Assert.NotEmpty(x.Keywords));
            Assert.All(s.Scenes, x => Assert.All(x.Keywords, k => Assert.False(string.IsNullOrWhiteSpace(k))));
        }
    }

    [Theory]
    [MemberData(nameof(LanguageRows))]
    public void TopicOnly_30Seconds_HasFourToEightScenes_AllInTheLanguage(string lang, string topic, string question, string terminators)
    {
        foreach (var t in new[] { topic, question })
            foreach (var seed in new[] { 0, 1, 2, 3, 4, 5 })
            {
                var s = Write(lang, t, seed: seed);
                Assert.InRange(s.Scenes.Count, 4, 8);
                Assert.Equal(lang, s.Language);
                Assert.Equal("template", s.Writer);
                Assert.Equal(SceneKind.Hook, s.Scenes[0].Kind);
                Assert.Equal(SceneKind.CallToAction, s.Scenes[^1].Kind);
                Assert.All(s.Scenes, x => Assert.True(x.DurationSeconds > 0, $"{x.Index}: {x.DurationSeconds} s"));
                Assert.All(s.Scenes, x => Assert.NotEmpty(x.Keywords));
                Assert.InRange(s.Scenes.Sum(x => x.DurationSeconds), 25, 40);
                foreach (var scene in s.Scenes)
                {
                    AssertReadsAsSentences(lang, scene.Narration, terminators);
                    AssertNoForeignLetters(lang, scene.Narration, t);
                }
                // Keywords are upper-cased where the script has case.
                var culture = ViraLoop.Media.Languages.Get(lang).Culture;
                Assert.All(s.Scenes.SelectMany(x => x.Keywords), k => Assert.Equal(k.ToUpper(culture), k));
            }
    }

    [Theory]
    [MemberData(nameof(LanguageRows))]
    public void QuestionTopic_EveryHookType_OpensWithTheQuestion(string lang, string topic, string question, string terminators)
    {
        _ = topic;
        var hooks = new List<string>();
        foreach (var hookType in HookTypes)
            foreach (var seed in new[] { 0, 1, 2, 3 })
            {
                var hook = Write(lang, question, hookType, seed).Scenes[0].Narration;
                Assert.StartsWith(question + " ", hook);
                AssertReadsAsSentences(lang, hook, terminators);
                AssertNoForeignLetters(lang, hook, question);
                hooks.Add(hook);
            }
        Assert.Equal(10, hooks.Distinct().Count()); // two variants for each of the five hook types
    }

    [Theory]
    [InlineData("en", "Why do whales sing", "Why do whales sing?")]
    [InlineData("en", "what is dark matter", "What is dark matter?")]
    [InlineData("en", "What if the Moon disappeared.", "What if the Moon disappeared?")]
    [InlineData("en", "Is coffee good for you", "Is coffee good for you?")]
    [InlineData("pl", "Dlaczego wieloryby śpiewają", "Dlaczego wieloryby śpiewają?")]
    [InlineData("pl", "czy kawa jest zdrowa", "Czy kawa jest zdrowa?")]
    [InlineData("es", "Por qué cantan las ballenas", "¿Por qué cantan las ballenas?")]
    [InlineData("es", "Por qué cantan las ballenas?", "¿Por qué cantan las ballenas?")]
    [InlineData("es", "¿Cómo se hace el pan", "¿Cómo se hace el pan?")]
    [InlineData("es", "Y tú, ¿sabes nadar?", "Y tú, ¿sabes nadar?")]
    [InlineData("de", "Warum singen Wale", "Warum singen Wale?")]
    [InlineData("de", "Warum Katzen schnurren", "Warum Katzen schnurren?")]
    [InlineData("de", "Ist Kaffee gesund", "Ist Kaffee gesund?")]
    [InlineData("fr", "Pourquoi les baleines chantent-elles", "Pourquoi les baleines chantent-elles?")]
    [InlineData("fr", "Comment les abeilles volent-elles ?", "Comment les abeilles volent-elles?")]
    [InlineData("fr", "Qu’est-ce que la matière noire", "Qu’est-ce que la matière noire?")]
    [InlineData("pt", "Por que as baleias cantam", "Por que as baleias cantam?")]
    [InlineData("pt", "como fazer pão", "Como fazer pão?")]
    [InlineData("ar", "لماذا تغني الحيتان", "لماذا تغني الحيتان؟")]
    [InlineData("ar", "كيف تطير الطيور?", "كيف تطير الطيور؟")]
    [InlineData("ar", "من هو ابن سينا", "من هو ابن سينا؟")]
    [InlineData("hi", "व्हेल क्यों गाती हैं", "व्हेल क्यों गाती हैं?")]
    [InlineData("hi", "क्या व्हेल सोती हैं", "क्या व्हेल सोती हैं?")]
    public void QuestionTopic_WithOrWithoutItsMark_StaysAQuestion(string lang, string topic, string expected)
    {
        foreach (var hookType in HookTypes)
        {
            var hook = Write(lang, topic, hookType).Scenes[0].Narration;
            Assert.StartsWith(expected + " ", hook);
            if (lang == "es") AssertBalancedSpanishQuestions(hook);
        }
    }

    [Theory]
    [InlineData("en", "Black holes", "Phrase")]
    [InlineData("en", "Why whales sing", "Clause")]
    [InlineData("en", "How to cook rice", "Clause")]
    [InlineData("en", "Can openers", "Phrase")]
    [InlineData("en", "What is dark matter", "Question")]
    [InlineData("en", "Why whales sing?", "Question")]
    [InlineData("pl", "Kiedy dinozaury rządziły Ziemią", "Phrase")]
    [InlineData("pl", "Jak zrobić kawę", "Question")]
    [InlineData("es", "Como agua para chocolate", "Phrase")]
    [InlineData("es", "¡Qué bonito!", "Phrase")]
    [InlineData("es", "Cómo hacer pan", "Question")]
    [InlineData("de", "Die Geschichte der Berliner Mauer", "Phrase")]
    [InlineData("de", "Wie funktioniert das Internet", "Question")]
    [InlineData("fr", "Quand les dinosaures régnaient sur la Terre", "Phrase")]
    [InlineData("fr", "Comment faire du pain", "Question")]
    [InlineData("pt", "A Mata Atlântica e seus animais", "Phrase")]
    [InlineData("pt", "O que é a matéria escura", "Question")]
    [InlineData("ar", "من الفضاء إلى الأرض", "Phrase")]
    [InlineData("ar", "هل القهوة مفيدة", "Question")]
    [InlineData("hi", "ताजमहल का इतिहास", "Phrase")]
    [InlineData("hi", "चाय कैसे बनाएँ", "Question")]
    public void ReadTopic_TellsPhrasesClausesAndQuestionsApart(string lang, string topic, string expected) =>
        Assert.Equal(expected, TemplateScriptWriter.ReadTopic(topic, ScriptTemplates.For(lang)!, ViraLoop.Media.Languages.Get(lang)).Form.ToString());

    [Fact]
    public void EnglishEmbeddedQuestion_ReadsInsideTheSentence()
    {
        var hooks = Enumerable.Range(0, 6).Select(seed => Write("en", "Why whales sing", "question", seed).Scenes[0].Narration).Distinct().ToList();
        Assert.All(hooks, h => Assert.Contains(h, new[] { "Have you ever wondered why whales sing?", "What if everything you knew about why whales sing was only half the story?" }));
        Assert.DoesNotContain(hooks, h => h.Contains("wondered about why", StringComparison.Ordinal));
    }

    [Fact]
    public void QuestionTopic_TitleKeepsTheWordsWithoutTheMarks()
    {
        Assert.Equal("Por qué cantan las ballenas", Write("es", "¿Por qué cantan las ballenas?").Title);
        Assert.Equal("لماذا تغني الحيتان", Write("ar", "لماذا تغني الحيتان؟").Title);
        Assert.Equal("Why do whales sing", Write("en", "Why do whales sing?").Title);
    }

    [Fact]
    public void Spanish_EveryHook_HasBalancedQuestionMarks()
    {
        foreach (var topic in new[] { "agujeros negros", "¿Por qué cantan las ballenas?", "Cómo se hace el pan" })
            foreach (var hookType in HookTypes)
                foreach (var seed in new[] { 0, 1, 2, 3 })
                    AssertBalancedSpanishQuestions(Write("es", topic, hookType, seed).Scenes[0].Narration);
    }

    [Theory]
    [InlineData("ar")]
    [InlineData("hi")]
    public void LatinTopic_InArabicOrHindi_OnlyTheTopicIsLatin(string lang)
    {
        foreach (var hookType in HookTypes)
            foreach (var seed in new[] { 0, 1 })
            {
                var hook = Write(lang, "Python", hookType, seed).Scenes[0].Narration;
                Assert.Contains("Python", hook);
                AssertNoForeignLetters(lang, hook, "Python");
            }
    }

    [Theory]
    [InlineData("th", "แมวนอนหลับวันละสิบหกชั่วโมง")]
    [InlineData("ja", "猫は一日に十六時間眠ります。")]
    [InlineData("it", "I gatti dormono sedici ore al giorno. Sognano come noi.")]
    public void LanguageWithoutTemplates_TopicOnlyIsRefused_UserTextIsWritten(string lang, string text)
    {
        var e = Assert.Throws<MediaInputException>(() => Write(lang, "Cats"));
        foreach (var code in TemplateLanguages) Assert.Matches($@"\b{code}\b", e.Message);
        foreach (var option in new[] { "--text", "--scenes", "--llm-url" }) Assert.Contains(option, e.Message);

        var s = Write(lang, "Cats", text: text);
        Assert.Equal(lang, s.Language);
        Assert.Equal("user-text", s.Writer);
        Assert.NotEmpty(s.Scenes);
        Assert.All(s.Scenes, x => Assert.True(x.DurationSeconds > 0));
    }

    /// <summary>Ends with the language's sentence punctuation; no "{0}", doubled punctuation or space before a mark.</summary>
    private static void AssertReadsAsSentences(string lang, string text, string terminators)
    {
        Assert.DoesNotContain("{", text);
        Assert.DoesNotContain("}", text);
        Assert.Contains(text[^1], terminators);
        Assert.DoesNotMatch(DoubledPunctuation(), text);
        Assert.DoesNotMatch(SpaceBeforeMark(), text);
        Assert.Equal(text.Trim(), text);
        Assert.DoesNotContain("  ", text);
        switch (lang)
        {
            case "ar":
                // Arabic questions end in "؟" and its commas are "،".
                Assert.DoesNotContain("?", text);
                Assert.DoesNotContain(",", text);
                break;
            case "hi":
                // Hindi ends a sentence with "।".
                Assert.DoesNotContain(".", text);
                break;
            case "es":
                AssertBalancedSpanishQuestions(text);
                break;
        }
    }

    /// <summary>Arabic and Hindi text has no Latin letters but those of the topic.</summary>
    private static void AssertNoForeignLetters(string lang, string text, string topic)
    {
        if (lang is not ("ar" or "hi")) return;
        Assert.DoesNotMatch(LatinLetter(), text.Replace(topic, "", StringComparison.Ordinal));
    }

    private static void AssertBalancedSpanishQuestions(string text)
    {
        int open = 0;
        foreach (var c in text)
        {
            if (c == '¿') open++;
            else if (c == '?') { Assert.True(open > 0, $"'?' without '¿' in \"{text}\""); open--; }
        }
        Assert.Equal(0, open);
    }

    [GeneratedRegex(@"[.?!؟।:,،][.?!؟।:,،]")]
    private static partial Regex DoubledPunctuation();

    [GeneratedRegex(@"\s[.?!؟।:,،]")]
    private static partial Regex SpaceBeforeMark();

    [GeneratedRegex("[A-Za-z]")]
    private static partial Regex LatinLetter();
}
