namespace ViraLoop.Media.Writing;

/// <summary>Hook library and scene templates per language. {0} is the topic.</summary>
internal sealed record ScriptTemplates(
    IReadOnlyDictionary<string, string[]> Hooks,
    (string Text, string Keyword)[] Body,
    string[] CallToAction,
    string[] UserCallToAction,
    HashSet<string> StopWords)
{
    public static readonly string[] HookTypes = ["question", "bold-claim", "number", "story", "contrarian"];

    /// <summary>The templates for a language, or null where the offline writer has none (then it needs text, scenes or an LLM).</summary>
    public static ScriptTemplates? For(string language) => ByCode.TryGetValue(language, out var t) ? t : null;

    /// <summary>The languages with templates.</summary>
    public static IReadOnlyCollection<string> Codes => ByCode.Keys;

    private static Dictionary<string, ScriptTemplates> ByCode => new(StringComparer.OrdinalIgnoreCase) { ["en"] = English, ["pl"] = Polish };

    private static readonly ScriptTemplates English = new(
        new Dictionary<string, string[]>
        {
            ["question"] = ["Have you ever wondered about {0}?", "What if everything you knew about {0} was only half the story?"],
            ["bold-claim"] = ["{0} is more surprising than you think.", "{0} will change how you see the world."],
            ["number"] = ["Three things about {0} nobody tells you.", "Three facts about {0} in thirty seconds."],
            ["story"] = ["Last year I got curious about {0}. It changed everything.", "It started with one question about {0}."],
            ["contrarian"] = ["Everyone gets {0} wrong. Here is why.", "Forget what you heard about {0}."],
        },
        [
            ("First, the basics. The basics explain more than the details ever will.", "BASICS"),
            ("Second, the part most people skip. Small choices add up faster than you expect.", "HIDDEN PART"),
            ("Third, the surprise. What looks simple on the surface is a whole system underneath.", "SURPRISE"),
            ("Here is the practical takeaway. Start small, watch what changes, and keep what works.", "TAKEAWAY"),
            ("One more thing. The best results come from patience, not from shortcuts.", "PATIENCE"),
            ("Remember this pattern, and the rest gets a lot easier to understand.", "PATTERN"),
        ],
        ["Follow for more, and tell me what you want to see next.", "Follow for more."],
        ["Follow for more, and share this with someone who needs it.", "Follow for more."],
        new(StringComparer.OrdinalIgnoreCase)
        {
            "the", "and", "for", "with", "that", "this", "what", "from", "your", "have", "will", "more", "than", "about", "into",
            "they", "them", "their", "there", "here", "when", "where", "which", "while", "were", "been", "being", "just", "only",
            "also", "then", "some", "most", "much", "many", "very", "ever", "every", "everything", "nobody", "tells", "think",
            "things", "thing", "next", "want", "follow", "tell", "see", "you", "are", "was", "why", "how", "who", "its", "it's",
            "half", "story", "knew", "does", "doesn't", "don't", "can't", "first", "second", "third", "one", "two", "three",
        });

    private static readonly ScriptTemplates Polish = new(
        new Dictionary<string, string[]>
        {
            ["question"] = ["Czy wiesz, co naprawdę kryje się w temacie: {0}?", "A gdyby wszystko, co wiesz o tym, było tylko połową prawdy? Temat: {0}."],
            ["bold-claim"] = ["{0}. To bardziej zaskakujące, niż myślisz.", "{0}. To zmieni twoje spojrzenie na świat."],
            ["number"] = ["Trzy rzeczy o tym, o których nikt nie mówi. Temat: {0}.", "Trzy fakty w trzydzieści sekund. Temat: {0}."],
            ["story"] = ["Rok temu zaciekawił mnie temat: {0}. To zmieniło wszystko.", "Wszystko zaczęło się od jednego pytania. Temat: {0}."],
            ["contrarian"] = ["Wszyscy źle rozumieją temat: {0}. Oto dlaczego.", "Zapomnij, co słyszałeś. Temat: {0}."],
        },
        [
            ("Po pierwsze: podstawy. Podstawy wyjaśniają więcej niż szczegóły.", "PODSTAWY"),
            ("Po drugie: to, co większość pomija. Małe wybory sumują się szybciej, niż się wydaje.", "MAŁE WYBORY"),
            ("Po trzecie: niespodzianka. To, co wygląda prosto, w środku jest całym systemem.", "NIESPODZIANKA"),
            ("Praktyczna wskazówka: zacznij od małych kroków, obserwuj zmiany i zostaw to, co działa.", "WSKAZÓWKA"),
            ("Jeszcze jedno: najlepsze efekty daje cierpliwość, a nie drogi na skróty.", "CIERPLIWOŚĆ"),
            ("Zapamiętaj ten schemat, a reszta stanie się dużo prostsza.", "SCHEMAT"),
        ],
        ["Obserwuj, żeby zobaczyć więcej, i napisz, o czym mam opowiedzieć następnym razem.", "Obserwuj po więcej."],
        ["Obserwuj po więcej i wyślij to komuś, kto tego potrzebuje.", "Obserwuj po więcej."],
        new(StringComparer.OrdinalIgnoreCase)
        {
            "oraz", "albo", "dlaczego", "czemu", "gdzie", "kiedy", "jest", "są", "się", "nie", "tak", "jak", "czy", "że", "żeby", "który", "która", "które", "tego", "temu",
            "tym", "ten", "ta", "to", "te", "co", "od", "do", "na", "za", "po", "przez", "dla", "bez", "pod", "nad", "przy", "jego",
            "jej", "ich", "mnie", "mam", "masz", "może", "można", "bardzo", "więcej", "tylko", "także", "też", "już", "jeszcze",
            "temat", "tematu", "wszystko", "nikt", "rzeczy", "trzy", "pierwsze", "drugie", "trzecie", "obserwuj",
        });
}
