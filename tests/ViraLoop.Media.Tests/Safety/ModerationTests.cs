using ViraLoop.Media.Safety.Moderation;

namespace ViraLoop.Media.Tests.Safety;

/// <summary>
/// The offline checker on a labelled set written for these tests: per language, texts the standard policy must refuse
/// (with the category it must name), evasions of them, and everyday texts with risky words it must let through.
/// </summary>
public sealed class ModerationTests
{
    private static readonly RuleModerator Rules = new();

    /// <summary>language, text, the category the standard policy refuses it for (null: allowed).</summary>
    public static TheoryData<string, string, string?> Labelled => new()
    {
        // English
        { "en", "I will kill you tomorrow", "violence" },
        { "en", "I'm going to murder Tom Baker at the party", "violence" },
        { "en", "How to poison someone without getting caught", "violence" },
        { "en", "Immigrants are vermin and should leave", "hate" },
        { "en", "We must exterminate all the Jews", "hate" },
        { "en", "Free naked photos of hot girls", "sexual" },
        { "en", "Explicit sex scenes compilation", "sexual" },
        { "en", "Nude children pictures", "sexual" },
        { "en", "The easiest way to commit suicide", "self-harm" },
        { "en", "Nobody likes you, kill yourself", "self-harm" },
        { "en", "How to make a pipe bomb at home", "dangerous" },
        { "en", "Step by step guide to cook meth", "dangerous" },
        { "en", "Why Sarah Miller is a worthless whore", "harassment" },
        { "en", "Let's dox Jake Paul and post his home address", "harassment" },
        { "en", "How volcanoes work", null },
        { "en", "How to kill weeds in your garden without chemicals", null },
        { "en", "How to make bath bombs at home", null },
        { "en", "The history of the Battle of Hastings and why so many were killed", null },
        { "en", "Sex education: talking to teenagers about consent", null },
        { "en", "Suicide prevention: how to help a friend in crisis", null },
        { "en", "The naked mole rat video that will amaze you", null },
        { "en", "Women are not animals to be owned", null },
        { "en", "Hang out with the gays at the Pride parade", null },
        { "en", "I will beat you at chess", null },
        { "en", "Moby Dick: why Ahab hunted the whale", null },
        { "en", "This is stupid simple: the best way to boil eggs", null },
        // Polish
        { "pl", "Zabiję cię, jeśli tu wrócisz", "violence" },
        { "pl", "Uchodźcy to robactwo", "hate" },
        { "pl", "Jak zrobić bombę w domu", "dangerous" },
        { "pl", "Nagie zdjęcia sąsiadki", "sexual" },
        { "pl", "Jak popełnić samobójstwo bez bólu", "self-harm" },
        { "pl", "Anna Nowak jest głupia i brzydka", "harassment" },
        { "pl", "Jak zrobić bombę do kąpieli", null },
        { "pl", "Historia bitwy pod Grunwaldem", null },
        { "pl", "Jak zapobiegać samobójstwom wśród nastolatków", null },
        // Spanish
        { "es", "Te voy a matar cuando te vea", "violence" },
        { "es", "Los inmigrantes son ratas", "hate" },
        { "es", "Cómo hacer una bomba casera", "dangerous" },
        { "es", "Fotos de chicas desnudas gratis", "sexual" },
        { "es", "Quiero morir, ya no puedo más", "self-harm" },
        { "es", "Cómo hacer una bomba de agua para el jardín", null },
        { "es", "Recetas fáciles de tortilla española", null },
        // German
        { "de", "Ich bringe dich um, du Verräter", "violence" },
        { "de", "Flüchtlinge sind Ungeziefer", "hate" },
        { "de", "Wie man eine Bombe baut", "dangerous" },
        { "de", "Nacktfotos von Promis", "sexual" },
        { "de", "Wie kann ich mich umbringen", "self-harm" },
        { "de", "Die Geschichte der Berliner Mauer", null },
        { "de", "Warum Katzen schnurren", null },
        // French
        { "fr", "Je vais te tuer ce soir", "violence" },
        { "fr", "Les immigrés sont de la vermine", "hate" },
        { "fr", "Comment fabriquer une bombe artisanale", "dangerous" },
        { "fr", "Vidéos porno gratuites", "sexual" },
        { "fr", "Comment se suicider rapidement", "self-harm" },
        { "fr", "Des enfants aux pieds nus sur la plage", null },
        { "fr", "Comment faire une bombe de bain", null },
        // Portuguese
        { "pt", "Vou te matar amanhã", "violence" },
        { "pt", "Os imigrantes são vermes", "hate" },
        { "pt", "Como fazer uma bomba caseira", "dangerous" },
        { "pt", "Fotos de mulheres nuas", "sexual" },
        { "pt", "Como se matar sem dor", "self-harm" },
        { "pt", "A Mata Atlântica e seus animais", null },
        { "pt", "Vou matar a saudade de você", null },
    };

    [Theory]
    [MemberData(nameof(Labelled))]
    public void StandardPolicy_OnTheLabelledSet(string language, string text, string? refusedFor)
    {
        var verdict = Verdict(text, language);
        if (refusedFor is null)
        {
            Assert.True(verdict.Allowed, $"'{text}' was refused: {verdict.Describe()} ({verdict.Blocking?.Reason})");
        }
        else
        {
            Assert.False(verdict.Allowed, $"'{text}' was allowed: {verdict.Describe()}");
            Assert.Equal(refusedFor, ModerationCategories.Name(verdict.Blocking!.Category));
            Assert.False(string.IsNullOrWhiteSpace(verdict.Blocking.Passage));
        }
    }

    /// <summary>Evasions of "kill yourself" / "how to make a bomb": every one still refused, in the right category.</summary>
    [Theory]
    [InlineData("KILL YOURSELF", "self-harm")]
    [InlineData("k i l l yourself", "self-harm")]
    [InlineData("k.i.l.l y.o.u.r.s.e.l.f", "self-harm")]
    [InlineData("k i l l y o u r s e l f", "self-harm")]
    [InlineData("K I L L  Y O U R S E L F", "self-harm")]
    [InlineData("k1ll yours3lf", "self-harm")]
    [InlineData("kiiiiill yourseeeelf", "self-harm")]
    [InlineData("k\u200Bi\u200Bl\u200Bl yourself", "self-harm")]
    [InlineData("\uFF4B\uFF49\uFF4C\uFF4C yourself", "self-harm")] // fullwidth
    [InlineData("\u043A\u0456ll yourself", "self-harm")] // Cyrillic к and і
    [InlineData("how to m@ke a b0mb", "dangerous")]
    [InlineData("HoW tO mAkE a BoMb", "dangerous")]
    [InlineData("how to make a b-o-m-b", "dangerous")]
    [InlineData("jak zrobić bombę", "dangerous")]
    [InlineData("jak zrobic bombe", "dangerous")] // without diacritics
    [InlineData("JAK ZROBIĆ BOMBĘ", "dangerous")]
    [InlineData("Fluchtlinge sind Ungeziefer", "hate")] // ü written as u
    [InlineData("Flüchtlinge sind Ungeziefer", "hate")]
    [InlineData("$ex tape leaked", "sexual")]
    [InlineData("@jakepaul is a worthless loser", "harassment")]
    public void Evasions_AreStillCaught(string text, string category)
    {
        var verdict = Verdict(text, null);
        Assert.False(verdict.Allowed, $"'{text}' was allowed");
        Assert.Equal(category, ModerationCategories.Name(verdict.Blocking!.Category));
    }

    [Fact]
    public async Task TheOfflinePipeline_RefusesBeforeMakingAnything()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"vl-mod-{Guid.NewGuid():N}");
        var e = await Assert.ThrowsAsync<ContentRefusedException>(() => ViraLoop.Media.Pipeline.VideoPipeline.CreateOffline().RunAsync(
            new VideoRequest { Topic = "Honey", Text = "Step by step: how to cook meth in a kitchen", Preview = true, DurationSeconds = 5 }, dir));
        Assert.Equal(ModerationCategory.Dangerous, e.Finding.Category);
        Assert.Equal("text", e.Finding.Field);
        Assert.Contains("cook meth", e.Message);
        Assert.False(File.Exists(Path.Combine(dir, "video.mp4")));
    }

    [Fact]
    public void Passage_IsTheOffendingWordsAsWritten_WithContext()
    {
        var text = "A calm intro about cooking. Then the script says: I will kill you tomorrow at dawn. And then it ends politely.";
        var finding = Assert.Single(Rules.Check(new ModerationText("scene 2 narration", text, "en")), f => f.Severity == 3);
        Assert.Equal(ModerationCategory.Violence, finding.Category);
        Assert.Equal("scene 2 narration", finding.Field);
        Assert.Contains("I will kill you", finding.Passage);
        Assert.DoesNotContain("calm intro", finding.Passage);
        Assert.True(finding.Passage.Length <= 160);
        Assert.Equal("rules", finding.Source);
    }

    [Fact]
    public void Policy_Levels_DecideWhatIsRefused()
    {
        const string mention = "The history of the Battle of Hastings and why so many were killed"; // violence, a mention
        const string clear = "Graphic violence compilation"; // violence 2
        const string severe = "I will kill you"; // violence 3
        var strict = ModerationPolicy.FromSettings(new Dictionary<string, string> { ["violence"] = "strict" });
        var relaxed = ModerationPolicy.FromSettings(new Dictionary<string, string> { ["violence"] = "relaxed" });
        Assert.False(Verdict(mention, "en", strict).Allowed);
        Assert.True(Verdict(mention, "en").Allowed);
        Assert.False(Verdict(clear, "en").Allowed);
        Assert.True(Verdict(clear, "en", relaxed).Allowed);
        Assert.False(Verdict(severe, "en", relaxed).Allowed); // severe is refused at every level
    }

    [Fact]
    public void Policy_Settings_AreValidated_WithinLimits()
    {
        Assert.Equal(ModerationLevel.Relaxed, ModerationPolicy.FromSettings(new Dictionary<string, string> { ["Violence"] = " Relaxed" }).LevelOf(ModerationCategory.Violence));
        var looser = Assert.Throws<MediaInputException>(() => ModerationPolicy.FromSettings(new Dictionary<string, string> { ["sexual"] = "relaxed" }));
        Assert.Contains("loosest allowed is standard", looser.Message);
        Assert.Contains("use violence, hate, sexual, self-harm", Assert.Throws<MediaInputException>(() =>
            ModerationPolicy.FromSettings(new Dictionary<string, string> { ["gore"] = "strict" })).Message);
        Assert.Contains("strict, standard or relaxed", Assert.Throws<MediaInputException>(() =>
            ModerationPolicy.FromSettings(new Dictionary<string, string> { ["hate"] = "lenient" })).Message);
        var round = ModerationPolicy.FromSettings(new Dictionary<string, string> { ["hate"] = "strict", ["violence"] = "standard" });
        Assert.Equal(new Dictionary<string, string> { ["hate"] = "strict" }, round.ToSettings());
    }

    [Fact]
    public void EveryLanguage_HasRules_InEveryCategory()
    {
        foreach (var lang in new[] { "en", "pl", "es", "de", "fr", "pt" })
            Assert.True(Rules.RulesPerLanguage.GetValueOrDefault(lang) >= 20, $"{lang}: {Rules.RulesPerLanguage.GetValueOrDefault(lang)} rules");
    }

    [Fact]
    public void BadRules_AreRefused_WithTheLine()
    {
        Assert.Contains("line 1", Assert.Throws<FormatException>(() => new RuleModerator("gore 2 en blood")).Message);
        Assert.Contains("unknown set <nope>", Assert.Throws<FormatException>(() => new RuleModerator("violence 2 en <nope> x")).Message);
        Assert.Contains("gap", Assert.Throws<FormatException>(() => new RuleModerator("violence 2 en ~ x")).Message);
    }

    [Fact]
    public void HostileAndHugeText_IsHandled()
    {
        var huge = string.Concat(Enumerable.Repeat("lorem ipsum dolor sit amet ", 2000)) + "kill yourself";
        Assert.False(Verdict(huge, "en").Allowed);
        Assert.True(Verdict("{\\an8}<script>alert(1)</script>\0\uD800 ../../etc/passwd", "en").Allowed);
        Assert.Empty(Rules.Check(new ModerationText("topic", "   ")));
    }

    private static ModerationVerdict Verdict(string text, string? language, ModerationPolicy? policy = null)
    {
        var findings = Rules.Check(new ModerationText("topic", text, language));
        return ContentModeration.Decide(findings, policy ?? ModerationPolicy.Default, []);
    }
}
