using System.Globalization;

namespace ViraLoop.Media.Writing;

/// <summary>
/// The title gene: the script's title (also the thumbnail's) written as a question, a how-to or a number of facts, in
/// the languages that have these templates. The topic stands where any phrase fits (after a colon in Polish, where a
/// preposition would need a case ending).
/// </summary>
internal static class TitleTemplates
{
    public static bool Has(string language) => language is "en" or "pl";

    /// <param name="template">question, how-to or number.</param>
    /// <param name="topic">The topic without its closing punctuation.</param>
    /// <param name="read">How the topic reads (a question keeps its own words as the question title).</param>
    /// <param name="facts">The script's body scenes: the number a number title promises.</param>
    public static string Write(string template, string topic, (TemplateScriptWriter.TopicForm Form, string Question) read, int facts, double seconds, LanguageInfo lang)
    {
        var (form, question) = read;
        bool asked = form == TemplateScriptWriter.TopicForm.Question;
        var heading = TemplateScriptWriter.Capitalise(topic);
        var inSentence = TemplateScriptWriter.InSentence(topic);
        // An article opening the topic reads lower case inside the title ("about the octopus brain").
        if (lang.Code == "en" && inSentence.Split(' ', 2)[0] is "The" or "A" or "An") inSentence = char.ToLowerInvariant(inSentence[0]) + inSentence[1..];
        int n = Math.Max(1, facts);
        var s = (int)Math.Round(seconds);
        return (lang.Code, template) switch
        {
            ("pl", "question") => asked ? question : $"{heading}: o co tu chodzi?",
            ("pl", "how-to") => asked ? $"Jak to działa? {question}" : $"{heading}: jak to działa?",
            ("pl", _) => $"{n.ToString(CultureInfo.InvariantCulture)} {PolishFacts(n)}: {(asked ? question : heading)}",
            (_, "question") => asked ? question : form == TemplateScriptWriter.TopicForm.Clause ? $"Do you know {inSentence}?" : $"What is the truth about {inSentence}?",
            (_, "how-to") => asked ? $"How it works: {question}" : $"How to understand {inSentence} in {s} seconds",
            _ => asked ? $"{n} {(n == 1 ? "fact" : "facts")}: {question}" : $"{n} {(n == 1 ? "fact" : "facts")} about {inSentence}",
        };
    }

    /// <summary>fakt, fakty (2–4, 22–24…), faktów (the rest).</summary>
    private static string PolishFacts(int n) =>
        n == 1 ? "fakt" : n % 10 is >= 2 and <= 4 && n % 100 is < 12 or > 14 ? "fakty" : "faktów";
}
