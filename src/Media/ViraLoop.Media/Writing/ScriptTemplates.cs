namespace ViraLoop.Media.Writing;

/// <summary>
/// Hook library and scene templates per language. In <see cref="Hooks"/> {0} is the topic, written so that any phrase fits
/// (the topic stands alone: after a colon, or as its own sentence, never where it would have to agree in gender or case).
/// In <see cref="QuestionHooks"/> {0} is the topic asked as a question, with its question mark.
/// </summary>
internal sealed record ScriptTemplates(
    IReadOnlyDictionary<string, string[]> Hooks,
    (string Text, string Keyword)[] Body,
    string[] CallToAction,
    string[] UserCallToAction,
    HashSet<string> StopWords)
{
    public static readonly string[] HookTypes = ["question", "bold-claim", "number", "story", "contrarian"];

    /// <summary>Hooks for a topic phrased as a question: the question itself opens the hook.</summary>
    public IReadOnlyDictionary<string, string[]> QuestionHooks { get; init; } = new Dictionary<string, string[]>();

    /// <summary>
    /// English only: hooks (by type) for an embedded question such as "why whales sing", which reads inside a sentence
    /// ("Have you ever wondered why whales sing?"); types not listed use <see cref="Hooks"/>.
    /// </summary>
    public IReadOnlyDictionary<string, string[]>? ClauseHooks { get; init; }

    /// <summary>Words (or two-word openers such as "por qué") that make a topic a question when it starts with one, lower case.</summary>
    public string[] QuestionWords { get; init; } = [];

    /// <summary>Hindi: question words stand where the thing asked about stands (व्हेल क्यों गाती हैं), so anywhere counts.</summary>
    public bool QuestionWordsAnywhere { get; init; }

    /// <summary>
    /// English: a question word makes a direct question only when one of these follows it ("why do…", "what is…", "what if…");
    /// otherwise the topic is an embedded question ("why whales sing"). A topic of three words or more that starts with one
    /// of these (other than "if") is a yes/no question ("is coffee healthy"). Null where word order does not tell.
    /// </summary>
    public HashSet<string>? Inversion { get; init; }

    /// <summary>The question mark: "?", or "؟" in Arabic script.</summary>
    public string QuestionMark { get; init; } = "?";

    /// <summary>Spanish opens a question with "¿".</summary>
    public string? OpeningQuestionMark { get; init; }

    /// <summary>The templates for a language, or null where the offline writer has none (then it needs text, scenes or an LLM).</summary>
    public static ScriptTemplates? For(string language) => ByCode.TryGetValue(language, out var t) ? t : null;

    /// <summary>The languages with templates.</summary>
    public static IReadOnlyCollection<string> Codes => ByCode.Keys;

    private static Dictionary<string, ScriptTemplates> ByCode => new(StringComparer.OrdinalIgnoreCase)
    {
        ["en"] = English, ["pl"] = Polish, ["es"] = Spanish, ["de"] = German, ["fr"] = French, ["pt"] = Portuguese,
        ["ar"] = Arabic, ["hi"] = Hindi,
    };

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
            "whom", "whose", "did", "should", "could", "would",
        })
    {
        QuestionHooks = new Dictionary<string, string[]>
        {
            ["question"] = ["{0} The answer is stranger than you think.", "{0} Almost nobody stops to ask."],
            ["bold-claim"] = ["{0} The real answer will surprise you.", "{0} The answer will change how you see the world."],
            ["number"] = ["{0} Here are three facts in thirty seconds.", "{0} Three things explain it."],
            ["story"] = ["{0} Last year I asked myself the same thing. The answer changed everything.", "{0} It all started with that one question."],
            ["contrarian"] = ["{0} Most people get the answer wrong. Here is why.", "{0} Forget the answer you have heard."],
        },
        ClauseHooks = new Dictionary<string, string[]>
        {
            ["question"] = ["Have you ever wondered {0}?", "What if everything you knew about {0} was only half the story?"],
        },
        QuestionWords = ["why", "how", "what", "when", "where", "who", "whom", "whose", "which"],
        Inversion = new(StringComparer.OrdinalIgnoreCase)
        {
            "is", "are", "was", "were", "am", "do", "does", "did", "can", "could", "should", "would", "will", "has", "have", "had",
            "must", "might", "may", "isn't", "aren't", "don't", "doesn't", "didn't", "can't", "won't", "shouldn't", "wouldn't",
            "couldn't", "if",
        },
    };

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
            "kto", "ile", "jaki", "jaka", "jakie", "skąd", "dokąd", "kogo", "komu", "czym", "odpowiedź", "pytanie", "pytania",
        })
    {
        QuestionHooks = new Dictionary<string, string[]>
        {
            ["question"] = ["{0} Odpowiedź jest dziwniejsza, niż myślisz.", "{0} Mało kto się nad tym zastanawia."],
            ["bold-claim"] = ["{0} Prawdziwa odpowiedź cię zaskoczy.", "{0} Odpowiedź zmieni twoje spojrzenie na świat."],
            ["number"] = ["{0} Oto trzy fakty w trzydzieści sekund.", "{0} Wyjaśniają to trzy rzeczy."],
            ["story"] = ["{0} Rok temu to pytanie nie dawało mi spokoju. Odpowiedź zmieniła wszystko.", "{0} Wszystko zaczęło się od tego jednego pytania."],
            ["contrarian"] = ["{0} Większość ludzi odpowiada źle. Oto dlaczego.", "{0} Zapomnij o odpowiedzi, którą znasz."],
        },
        // "Kiedy" also means "when" as a conjunction ("Kiedy dinozaury rządziły Ziemią"), so it needs a question mark.
        QuestionWords = ["dlaczego", "czemu", "jak", "czy", "co", "gdzie", "kto", "ile", "jaki", "jaka", "jakie", "który", "która", "które",
            "skąd", "dokąd", "po co", "kogo", "komu", "czym"],
    };

    private static readonly ScriptTemplates Spanish = new(
        new Dictionary<string, string[]>
        {
            ["question"] = ["¿Sabes qué se esconde realmente detrás de este tema: {0}?", "¿Y si todo lo que sabes sobre esto fuera solo la mitad de la historia? Tema: {0}."],
            ["bold-claim"] = ["{0}. Esto es más sorprendente de lo que crees.", "{0}. Esto va a cambiar tu forma de ver el mundo."],
            ["number"] = ["Tres cosas que nadie te cuenta. Tema: {0}.", "Tres datos en treinta segundos. Tema: {0}."],
            ["story"] = ["El año pasado empecé a investigar un tema: {0}. Lo cambió todo.", "Todo empezó con una sola pregunta. Tema: {0}."],
            ["contrarian"] = ["Casi todo el mundo entiende mal este tema: {0}. Te explico por qué.", "Olvida lo que te han contado. Tema: {0}."],
        },
        [
            ("Primero, lo básico. Lo básico explica más que cualquier detalle.", "LO BÁSICO"),
            ("Segundo, la parte que casi todos se saltan. Las pequeñas decisiones suman más rápido de lo que esperas.", "PEQUEÑAS DECISIONES"),
            ("Tercero, la sorpresa. Lo que parece simple por fuera es todo un sistema por dentro.", "SORPRESA"),
            ("La lección práctica: empieza poco a poco, observa qué cambia y quédate con lo que funciona.", "LECCIÓN"),
            ("Una cosa más: los mejores resultados llegan con paciencia, no con atajos.", "PACIENCIA"),
            ("Recuerda este patrón y todo lo demás será mucho más fácil de entender.", "PATRÓN"),
        ],
        ["Sígueme para ver más y cuéntame qué quieres ver la próxima vez.", "Sígueme para ver más."],
        ["Sígueme para ver más y compártelo con alguien que lo necesite.", "Sígueme para ver más."],
        new(StringComparer.OrdinalIgnoreCase)
        {
            "el", "la", "los", "las", "un", "una", "unos", "unas", "del", "al", "con", "por", "para", "sin", "sobre", "entre", "desde",
            "hasta", "pero", "que", "qué", "como", "cómo", "cuando", "cuándo", "donde", "dónde", "quién", "quiénes", "quien", "cuál",
            "cuáles", "cual", "cuánto", "cuánta", "cuántos", "cuántas", "porque", "es", "son", "era", "ser", "está", "están", "estar",
            "hay", "muy", "más", "menos", "todo", "todos", "toda", "todas", "esto", "este", "esta", "estos", "estas", "ese", "esa",
            "eso", "esos", "esas", "les", "sus", "tus", "mis", "nos", "también", "solo", "sólo", "ya", "tiene", "tienen", "puede",
            "pueden", "hace", "hacen", "cada", "tema", "cosas", "tres", "datos", "nadie", "primero", "segundo", "tercero",
            "sígueme", "respuesta", "pregunta", "sabes", "quieres",
        })
    {
        QuestionHooks = new Dictionary<string, string[]>
        {
            ["question"] = ["{0} La respuesta es más extraña de lo que crees.", "{0} Casi nadie se lo pregunta."],
            ["bold-claim"] = ["{0} La respuesta real te va a sorprender.", "{0} La respuesta va a cambiar tu forma de ver el mundo."],
            ["number"] = ["{0} Aquí tienes tres datos en treinta segundos.", "{0} Tres claves lo explican."],
            ["story"] = ["{0} El año pasado me hice la misma pregunta. La respuesta lo cambió todo.", "{0} Todo empezó con esa pregunta."],
            ["contrarian"] = ["{0} Casi todo el mundo responde mal. Te explico por qué.", "{0} Olvida la respuesta que te han contado."],
        },
        // Without the accent "como", "cuando" and "donde" are conjunctions ("Como agua para chocolate"); they need "¿…?".
        QuestionWords = ["por qué", "por que", "para qué", "qué", "cómo", "cuándo", "dónde", "adónde", "quién", "quiénes", "cuál", "cuáles",
            "cuánto", "cuánta", "cuántos", "cuántas"],
        OpeningQuestionMark = "¿",
    };

    private static readonly ScriptTemplates German = new(
        new Dictionary<string, string[]>
        {
            ["question"] = ["Was steckt wirklich hinter diesem Thema: {0}?", "Was wäre, wenn alles, was du darüber weißt, nur die halbe Wahrheit wäre? Thema: {0}."],
            ["bold-claim"] = ["{0}. Das ist überraschender, als du denkst.", "{0}. Das verändert, wie du die Welt siehst."],
            ["number"] = ["Drei Dinge, die dir niemand erzählt. Thema: {0}.", "Drei Fakten in dreißig Sekunden. Thema: {0}."],
            ["story"] = ["Letztes Jahr hat mich ein Thema nicht mehr losgelassen: {0}. Das hat alles verändert.", "Alles begann mit einer einzigen Frage. Thema: {0}."],
            ["contrarian"] = ["Fast alle liegen bei diesem Thema falsch: {0}. Ich zeige dir, warum.", "Vergiss, was du gehört hast. Thema: {0}."],
        },
        [
            ("Zuerst die Grundlagen. Sie erklären mehr als jedes Detail.", "GRUNDLAGEN"),
            ("Dann der Teil, den die meisten überspringen. Kleine Entscheidungen summieren sich schneller, als du denkst.", "KLEINE ENTSCHEIDUNGEN"),
            ("Und jetzt die Überraschung. Was von außen einfach aussieht, ist innen ein ganzes System.", "ÜBERRASCHUNG"),
            ("Der praktische Tipp: Fang klein an, beobachte, was sich ändert, und behalte, was funktioniert.", "TIPP"),
            ("Noch etwas: Die besten Ergebnisse kommen durch Geduld, nicht durch Abkürzungen.", "GEDULD"),
            ("Merk dir dieses Muster, dann wird der Rest viel leichter zu verstehen.", "MUSTER"),
        ],
        ["Folge mir für mehr und schreib mir, was du als Nächstes sehen willst.", "Folge mir für mehr."],
        ["Folge mir für mehr und teile das mit jemandem, der es braucht.", "Folge mir für mehr."],
        new(StringComparer.OrdinalIgnoreCase)
        {
            "der", "die", "das", "den", "dem", "des", "ein", "eine", "einen", "einem", "einer", "eines", "und", "oder", "aber", "mit",
            "für", "von", "vom", "zum", "zur", "auf", "aus", "bei", "nach", "über", "unter", "durch", "ohne", "gegen", "wie", "was",
            "warum", "wieso", "weshalb", "wer", "wen", "wem", "wann", "woher", "wohin", "welche", "welcher", "welches", "welchen",
            "ist", "sind", "war", "hat", "haben", "wird", "werden", "kann", "können", "gibt", "nicht", "auch", "nur", "noch", "schon",
            "sehr", "mehr", "dass", "sich", "man", "ich", "du", "wir", "ihr", "sie", "es", "dein", "deine", "mein", "meine", "dies",
            "diese", "dieser", "dieses", "diesem", "thema", "dinge", "drei", "fakten", "niemand", "alles", "folge", "antwort", "frage",
            "zuerst", "dann", "jetzt", "hier", "wirklich",
        })
    {
        // Verb-final "Warum Wale singen?" is idiomatic as a rhetorical opener, so every question word makes a question.
        QuestionHooks = new Dictionary<string, string[]>
        {
            ["question"] = ["{0} Die Antwort ist seltsamer, als du denkst.", "{0} Kaum jemand stellt sich diese Frage."],
            ["bold-claim"] = ["{0} Die wahre Antwort wird dich überraschen.", "{0} Die Antwort verändert, wie du die Welt siehst."],
            ["number"] = ["{0} Hier sind drei Fakten in dreißig Sekunden.", "{0} Drei Dinge erklären es."],
            ["story"] = ["{0} Letztes Jahr habe ich mir genau diese Frage gestellt. Die Antwort hat alles verändert.", "{0} Alles begann mit genau dieser Frage."],
            ["contrarian"] = ["{0} Fast alle liegen bei der Antwort falsch. Ich zeige dir, warum.", "{0} Vergiss die Antwort, die du kennst."],
        },
        QuestionWords = ["warum", "wieso", "weshalb", "weswegen", "wie", "was", "wer", "wen", "wem", "wessen", "wo", "woher", "wohin", "wann",
            "welche", "welcher", "welches", "welchen", "welchem", "wozu", "womit", "wofür", "woran", "worauf", "worüber",
            "ist", "sind", "kann", "können", "gibt", "hat", "haben", "wird", "soll", "sollte", "muss", "darf"],
    };

    private static readonly ScriptTemplates French = new(
        new Dictionary<string, string[]>
        {
            // The topic opens the hook as its own sentence: no article or preposition has to agree with it, and no colon is
            // needed (French sets a space before ":" and "?", which captions would show as a word of its own).
            ["question"] = ["{0}. Sais-tu vraiment ce qui se cache derrière?", "{0}. Et si tout ce que tu en sais n'était que la moitié de l'histoire?"],
            ["bold-claim"] = ["{0}. C'est bien plus surprenant que tu ne le crois.", "{0}. Ça va changer ta façon de voir le monde."],
            ["number"] = ["{0}. Trois choses que personne ne te dit.", "{0}. Trois faits en trente secondes."],
            ["story"] = ["{0}. L'an dernier, ce sujet a piqué ma curiosité, et ça a tout changé.", "{0}. Tout a commencé par une seule question."],
            ["contrarian"] = ["{0}. Presque tout le monde se trompe sur ce sujet. Voici pourquoi.", "{0}. Oublie tout ce que tu as entendu."],
        },
        [
            ("D'abord, les bases. Les bases expliquent plus que n'importe quel détail.", "BASES"),
            ("Ensuite, la partie que presque tout le monde saute. Les petits choix s'additionnent plus vite qu'on ne le croit.", "PETITS CHOIX"),
            ("Puis, la surprise. Ce qui paraît simple en surface cache tout un système.", "SURPRISE"),
            ("Le conseil pratique. Commence petit, observe ce qui change et garde ce qui marche.", "CONSEIL"),
            ("Encore une chose. Les meilleurs résultats viennent de la patience, pas des raccourcis.", "PATIENCE"),
            ("Retiens ce schéma, et le reste deviendra beaucoup plus simple à comprendre.", "SCHÉMA"),
        ],
        ["Abonne-toi pour en voir plus et dis-moi ce que tu veux voir ensuite.", "Abonne-toi pour en voir plus."],
        ["Abonne-toi pour en voir plus et partage cette vidéo avec quelqu'un qui en a besoin.", "Abonne-toi pour en voir plus."],
        new(StringComparer.OrdinalIgnoreCase)
        {
            "le", "la", "les", "un", "une", "des", "du", "de", "et", "ou", "mais", "donc", "car", "avec", "pour", "par", "sans", "sur",
            "sous", "dans", "entre", "vers", "chez", "que", "qui", "quoi", "quel", "quelle", "quels", "quelles", "pourquoi", "comment",
            "quand", "combien", "est", "sont", "était", "être", "avoir", "ont", "fait", "font", "peut", "peuvent", "pas", "plus",
            "moins", "très", "tout", "tous", "toute", "toutes", "cet", "cette", "ces", "son", "ses", "leur", "leurs", "ton", "tes",
            "mon", "mes", "notre", "votre", "nous", "vous", "ils", "elles", "elle", "aussi", "déjà", "encore", "est-ce", "qu'est-ce",
            "sujet", "choses", "trois", "faits", "personne", "réponse", "question", "d'abord", "ensuite", "puis",
        })
    {
        QuestionHooks = new Dictionary<string, string[]>
        {
            ["question"] = ["{0} La réponse est plus étrange que tu ne le crois.", "{0} Presque personne ne se pose la question."],
            ["bold-claim"] = ["{0} La vraie réponse va te surprendre.", "{0} La réponse va changer ta façon de voir le monde."],
            ["number"] = ["{0} Voici trois faits en trente secondes.", "{0} Trois choses l'expliquent."],
            ["story"] = ["{0} L'an dernier, je me suis posé la même question. La réponse a tout changé.", "{0} Tout a commencé par cette question."],
            ["contrarian"] = ["{0} Presque tout le monde se trompe de réponse. Voici pourquoi.", "{0} Oublie la réponse que tu connais."],
        },
        // "Quand" is also the conjunction "when" ("Quand les dinosaures régnaient sur la Terre"); it needs a question mark.
        QuestionWords = ["pourquoi", "comment", "où", "qui", "que", "qu'est-ce", "quoi", "quel", "quelle", "quels", "quelles", "combien",
            "est-ce", "à quoi"],
    };

    private static readonly ScriptTemplates Portuguese = new(
        new Dictionary<string, string[]>
        {
            ["question"] = ["Você sabe o que realmente se esconde por trás deste tema: {0}?", "E se tudo o que você sabe sobre isso fosse só metade da história? Tema: {0}."],
            ["bold-claim"] = ["{0}. Isso é mais surpreendente do que você imagina.", "{0}. Isso vai mudar o jeito como você vê o mundo."],
            ["number"] = ["Três coisas que ninguém te conta. Tema: {0}.", "Três fatos em trinta segundos. Tema: {0}."],
            ["story"] = ["No ano passado, um tema despertou minha curiosidade: {0}. Isso mudou tudo.", "Tudo começou com uma única pergunta. Tema: {0}."],
            ["contrarian"] = ["Quase todo mundo entende este tema errado: {0}. Vou te explicar por quê.", "Esqueça o que você ouviu. Tema: {0}."],
        },
        [
            ("Primeiro, o básico. O básico explica mais do que qualquer detalhe.", "O BÁSICO"),
            ("Segundo, a parte que quase todo mundo pula. Pequenas escolhas se somam mais rápido do que você espera.", "PEQUENAS ESCOLHAS"),
            ("Terceiro, a surpresa. O que parece simples por fora é um sistema inteiro por dentro.", "SURPRESA"),
            ("A lição prática: comece pequeno, observe o que muda e fique com o que funciona.", "LIÇÃO"),
            ("Mais uma coisa: os melhores resultados vêm da paciência, não de atalhos.", "PACIÊNCIA"),
            ("Lembre-se desse padrão, e o resto fica muito mais fácil de entender.", "PADRÃO"),
        ],
        ["Me siga para ver mais e comente o que você quer ver no próximo vídeo.", "Me siga para ver mais."],
        ["Me siga para ver mais e compartilhe com alguém que precise disso.", "Me siga para ver mais."],
        new(StringComparer.OrdinalIgnoreCase)
        {
            "os", "as", "um", "uma", "uns", "umas", "do", "da", "dos", "das", "no", "na", "nos", "nas", "ao", "aos", "por", "pelo",
            "pela", "pelos", "pelas", "para", "pra", "com", "sem", "sobre", "entre", "mas", "que", "quê", "porque", "como", "quando",
            "onde", "quem", "qual", "quais", "quanto", "quanta", "quantos", "quantas", "é", "são", "foi", "ser", "estar", "está",
            "estão", "tem", "têm", "ter", "não", "sim", "mais", "menos", "muito", "muita", "muitos", "tudo", "todo", "toda", "todos",
            "isso", "isto", "este", "esta", "esse", "essa", "deste", "desta", "desse", "dessa", "seu", "sua", "seus", "suas", "você",
            "vocês", "ele", "ela", "eles", "elas", "também", "só", "pode", "podem", "faz", "fazem", "será", "tema", "coisas", "três",
            "fatos", "ninguém", "resposta", "pergunta", "primeiro", "segundo", "terceiro",
        })
    {
        QuestionHooks = new Dictionary<string, string[]>
        {
            ["question"] = ["{0} A resposta é mais estranha do que você imagina.", "{0} Quase ninguém se pergunta isso."],
            ["bold-claim"] = ["{0} A resposta verdadeira vai te surpreender.", "{0} A resposta vai mudar o jeito como você vê o mundo."],
            ["number"] = ["{0} Aqui vão três fatos em trinta segundos.", "{0} Três coisas explicam isso."],
            ["story"] = ["{0} No ano passado, eu me fiz a mesma pergunta. A resposta mudou tudo.", "{0} Tudo começou com essa pergunta."],
            ["contrarian"] = ["{0} Quase todo mundo erra a resposta. Vou te explicar por quê.", "{0} Esqueça a resposta que você conhece."],
        },
        // "Quando" is also the conjunction "when"; "porque" (no space) is "because".
        QuestionWords = ["por que", "por quê", "o que", "como", "qual", "quais", "onde", "aonde", "quem", "quanto", "quanta", "quantos",
            "quantas", "será que", "pra que", "para que"],
    };

    private static readonly ScriptTemplates Arabic = new(
        new Dictionary<string, string[]>
        {
            ["question"] = ["هل تعرف حقًا ما الذي يختبئ وراء هذا الموضوع: {0}؟", "ماذا لو كان كل ما تعرفه عن هذا الموضوع نصف الحقيقة فقط؟ الموضوع: {0}."],
            ["bold-claim"] = ["{0}. الأمر أكثر إثارة للدهشة مما تظن.", "{0}. هذا سيغيّر نظرتك إلى العالم."],
            ["number"] = ["ثلاثة أشياء لا يخبرك بها أحد. الموضوع: {0}.", "ثلاث حقائق في ثلاثين ثانية. الموضوع: {0}."],
            ["story"] = ["في العام الماضي، أثار فضولي موضوع واحد: {0}. وقد غيّر ذلك كل شيء.", "بدأ كل شيء بسؤال واحد. الموضوع: {0}."],
            ["contrarian"] = ["يفهم معظم الناس هذا الموضوع بشكل خاطئ: {0}. وإليك السبب.", "انسَ كل ما سمعته. الموضوع: {0}."],
        },
        [
            ("أولًا، الأساسيات. الأساسيات تشرح أكثر مما تشرحه التفاصيل.", "الأساسيات"),
            ("ثانيًا، الجزء الذي يتجاهله معظم الناس. القرارات الصغيرة تتراكم أسرع مما تتوقع.", "القرارات الصغيرة"),
            ("ثالثًا، المفاجأة. ما يبدو بسيطًا من الخارج هو نظام كامل من الداخل.", "المفاجأة"),
            ("الخلاصة العملية: ابدأ بخطوات صغيرة، وراقب ما يتغيّر، واحتفظ بما ينجح.", "الخلاصة"),
            ("وشيء آخر: أفضل النتائج تأتي بالصبر، لا بالطرق المختصرة.", "الصبر"),
            ("تذكّر هذا النمط، وسيصبح الباقي أسهل بكثير.", "النمط"),
        ],
        ["تابعني للمزيد، وأخبرني بما تريد أن تشاهده في المرة القادمة.", "تابعني للمزيد."],
        ["تابعني للمزيد، وشارك هذا مع شخص يحتاج إليه.", "تابعني للمزيد."],
        new(StringComparer.OrdinalIgnoreCase)
        {
            "في", "من", "إلى", "على", "عن", "مع", "هذا", "هذه", "ذلك", "تلك", "هؤلاء", "التي", "الذي", "الذين", "ما", "ماذا", "لماذا",
            "كيف", "هل", "متى", "أين", "كم", "أي", "لا", "لم", "لن", "قد", "كل", "كان", "كانت", "يكون", "تكون", "هو", "هي", "هم",
            "أن", "إن", "أو", "ثم", "بين", "بعد", "قبل", "عند", "حتى", "لكن", "أكثر", "جدا", "جدًا", "أيضا", "أيضًا", "فقط", "الموضوع",
            "أشياء", "ثلاثة", "ثلاث", "حقائق", "أحد", "تابعني", "للمزيد", "الإجابة", "السؤال", "أولًا", "ثانيًا", "ثالثًا",
        })
    {
        QuestionHooks = new Dictionary<string, string[]>
        {
            ["question"] = ["{0} الإجابة أغرب مما تظن.", "{0} نادرًا ما يطرح أحد هذا السؤال."],
            ["bold-claim"] = ["{0} الإجابة الحقيقية ستفاجئك.", "{0} الإجابة ستغيّر نظرتك إلى العالم."],
            ["number"] = ["{0} إليك ثلاث حقائق في ثلاثين ثانية.", "{0} ثلاثة أشياء تفسّر ذلك."],
            ["story"] = ["{0} في العام الماضي طرحت على نفسي السؤال نفسه، والإجابة غيّرت كل شيء.", "{0} بدأ كل شيء بهذا السؤال."],
            ["contrarian"] = ["{0} معظم الناس يخطئون في الإجابة، وإليك السبب.", "{0} انسَ الإجابة التي تعرفها."],
        },
        // "من" alone is also the preposition "from" (same letters), so only "من هو/من هي" (who is) counts without "؟".
        QuestionWords = ["لماذا", "كيف", "ما", "ماذا", "هل", "أين", "متى", "كم", "أي", "أيّ", "من هو", "من هي"],
        QuestionMark = "؟",
    };

    private static readonly ScriptTemplates Hindi = new(
        new Dictionary<string, string[]>
        {
            ["question"] = ["क्या आप जानते हैं कि इस विषय के पीछे असल में क्या छिपा है? विषय: {0}।", "अगर आप इसके बारे में जो कुछ जानते हैं, वह सिर्फ़ आधी कहानी हो तो? विषय: {0}।"],
            ["bold-claim"] = ["{0}। यह आपकी सोच से कहीं ज़्यादा हैरान करने वाला है।", "{0}। यह दुनिया को देखने का आपका नज़रिया बदल देगा।"],
            ["number"] = ["तीन बातें जो आपको कोई नहीं बताता। विषय: {0}।", "तीस सेकंड में तीन तथ्य। विषय: {0}।"],
            ["story"] = ["पिछले साल एक विषय ने मेरी जिज्ञासा जगा दी: {0}। इसने सब कुछ बदल दिया।", "सब कुछ एक सवाल से शुरू हुआ। विषय: {0}।"],
            ["contrarian"] = ["ज़्यादातर लोग इस विषय को ग़लत समझते हैं: {0}। जानिए क्यों।", "जो आपने सुना है, उसे भूल जाइए। विषय: {0}।"],
        },
        [
            ("सबसे पहले, बुनियादी बातें। बुनियादी बातें किसी भी बारीकी से ज़्यादा समझाती हैं।", "बुनियादी बातें"),
            ("दूसरा, वह हिस्सा जिसे ज़्यादातर लोग छोड़ देते हैं। छोटे फ़ैसले उम्मीद से कहीं जल्दी जुड़ते जाते हैं।", "छोटे फ़ैसले"),
            ("तीसरा, सबसे हैरानी की बात। जो ऊपर से आसान दिखता है, वह अंदर से एक पूरा सिस्टम है।", "हैरानी"),
            ("काम की बात: छोटे क़दमों से शुरुआत कीजिए, देखिए क्या बदलता है, और जो काम करे, उसे अपनाइए।", "काम की बात"),
            ("एक बात और: सबसे अच्छे नतीजे धैर्य से मिलते हैं, शॉर्टकट से नहीं।", "धैर्य"),
            ("यह पैटर्न याद रखिए, बाक़ी सब समझना बहुत आसान हो जाएगा।", "पैटर्न"),
        ],
        ["और देखने के लिए फ़ॉलो कीजिए, और बताइए कि आगे आप क्या देखना चाहते हैं।", "और देखने के लिए फ़ॉलो कीजिए।"],
        ["और देखने के लिए फ़ॉलो कीजिए, और इसे किसी ऐसे व्यक्ति के साथ शेयर कीजिए जिसे इसकी ज़रूरत है।", "और देखने के लिए फ़ॉलो कीजिए।"],
        new(StringComparer.OrdinalIgnoreCase)
        {
            "का", "की", "के", "को", "से", "में", "पर", "ने", "है", "हैं", "था", "थी", "थे", "हो", "और", "या", "भी", "ही", "तो", "कि",
            "यह", "वह", "ये", "वे", "इस", "उस", "इसे", "उसे", "इसका", "इसकी", "इसके", "उसका", "उसकी", "उसके", "क्या", "क्यों", "कैसे",
            "कैसा", "कैसी", "कब", "कहाँ", "कहां", "कौन", "कौनसा", "कितना", "कितनी", "कितने", "किस", "किसने", "किसे", "नहीं", "एक",
            "कुछ", "सब", "लिए", "बारे", "जो", "जब", "आप", "आपको", "आपकी", "आपका", "हम", "मैं", "मेरी", "मेरा", "होता", "होती", "होते",
            "जाता", "जाती", "जाते", "रहा", "रही", "रहे", "सकता", "सकती", "सकते", "करना", "करते", "करती", "करें", "कीजिए", "विषय",
            "बातें", "तीन", "तथ्य", "कोई", "सवाल", "जवाब", "फ़ॉलो", "सबसे", "दूसरा", "तीसरा",
        })
    {
        QuestionHooks = new Dictionary<string, string[]>
        {
            ["question"] = ["{0} इसका जवाब आपकी सोच से कहीं ज़्यादा अजीब है।", "{0} बहुत कम लोग यह सवाल पूछते हैं।"],
            ["bold-claim"] = ["{0} असली जवाब आपको हैरान कर देगा।", "{0} इसका जवाब दुनिया को देखने का आपका नज़रिया बदल देगा।"],
            ["number"] = ["{0} ये रहे तीस सेकंड में तीन तथ्य।", "{0} तीन बातें इसे समझाती हैं।"],
            ["story"] = ["{0} पिछले साल यही सवाल मेरे मन में आया था, और इसके जवाब ने सब कुछ बदल दिया।", "{0} सब कुछ इसी सवाल से शुरू हुआ।"],
            ["contrarian"] = ["{0} ज़्यादातर लोग इसका ग़लत जवाब देते हैं। जानिए क्यों।", "{0} जो जवाब आप जानते हैं, उसे भूल जाइए।"],
        },
        QuestionWords = ["क्या", "क्यों", "कैसे", "कैसा", "कैसी", "कब", "कहाँ", "कहां", "कौन", "कौनसा", "कौनसी", "कौनसे", "कितना", "कितनी",
            "कितने", "किस", "किसने", "किसे", "किसको", "किसका", "किसकी", "किसके"],
        QuestionWordsAnywhere = true,
    };
}
