using System.Diagnostics;
using System.Globalization;
using ViraLoop.Media;
using ViraLoop.Media.Pipeline;
using ViraLoop.Media.Pipeline.Steps;

namespace ViraLoop.Bench;

/// <summary>
/// A 30 s preview in Arabic and in Chinese against the English one, rendered in turn in the same run (the same narration,
/// as user text, so every language has the same amount to say): wall time of the whole pipeline and of each step.
/// Target: each within 1.2× of English.
/// </summary>
public static class LanguagesBench
{
    private static readonly (string Code, string Text)[] Narrations =
    [
        ("en", "Octopuses are some of the smartest animals in the sea. They open jars, solve puzzles and escape from tanks. " +
               "Each arm has its own cluster of neurons, so an arm can taste and decide on its own. " +
               "They change colour in a fraction of a second to hide or to talk. " +
               "And they do all of this with a life of only one or two years. Follow for more."),
        ("ar", "الأخطبوط من أذكى الحيوانات في البحر. يفتح الجرار ويحل الألغاز ويهرب من الأحواض. " +
               "لكل ذراع مجموعة خاصة من الخلايا العصبية، لذلك تستطيع الذراع أن تتذوق وتقرر وحدها. " +
               "يغير لونه في جزء من الثانية ليختبئ أو ليتواصل. " +
               "ويفعل كل هذا في حياة لا تتجاوز سنة أو سنتين. تابعنا للمزيد."),
        ("zh", "章鱼是海洋中最聪明的动物之一。它们会打开罐子，解开谜题，还能从水箱里逃走。" +
               "每条腕都有自己的神经元，所以一条腕可以自己品尝和做决定。" +
               "它们能在一瞬间改变颜色，用来躲藏或者交流。" +
               "而它们的一生只有一到两年。关注我们了解更多。"),
    ];

    public static async Task RunAsync(string[] args)
    {
        var inv = CultureInfo.InvariantCulture;
        var i = Array.IndexOf(args, "--duration");
        double duration = i >= 0 ? double.Parse(args[i + 1], inv) : 30;
        i = Array.IndexOf(args, "--rounds");
        int rounds = i >= 0 ? int.Parse(args[i + 1], inv) : 2;
        var root = Directory.CreateTempSubdirectory("vl-lang-bench-").FullName;
        try
        {
            Console.WriteLine($"# languages bench  {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC  cores={Environment.ProcessorCount}  duration={duration} s  preview  rounds={rounds}");
            var pipeline = VideoPipeline.CreateOffline();
            VideoRequest Request(string code, string text) => new()
            {
                Topic = code == "en" ? "Octopuses" : code == "ar" ? "الأخطبوط" : "章鱼", Text = text, Language = code,
                DurationSeconds = duration, Preview = true, Seed = 5, Style = "gradient",
            };
            // Warm-up: each language once, short (espeak-ng's voice data, fonts, ICU).
            foreach (var (code, text) in Narrations) await pipeline.RunAsync(Request(code, text) with { DurationSeconds = 5 }, Path.Combine(root, "warm-" + code));

            var wall = Narrations.ToDictionary(n => n.Code, _ => new List<double>());
            var steps = Narrations.ToDictionary(n => n.Code, _ => new List<IReadOnlyDictionary<string, double>>());
            var lengths = new Dictionary<string, double>();
            for (int round = 0; round < rounds; round++)
            {
                // Interleaved, so drift on a noisy machine falls on every language alike.
                foreach (var (code, text) in round % 2 == 0 ? Narrations : Narrations.Reverse())
                {
                    var sw = Stopwatch.StartNew();
                    var r = await pipeline.RunAsync(Request(code, text), Path.Combine(root, code));
                    wall[code].Add(sw.Elapsed.TotalSeconds);
                    steps[code].Add(r.StepSeconds);
                    lengths[code] = r.DurationSeconds;
                }
            }
            double en = Median(wall["en"]);
            Console.WriteLine("| language | video | wall (median) | × English | voice | render |");
            Console.WriteLine("| --- | --- | --- | --- | --- | --- |");
            foreach (var (code, _) in Narrations)
            {
                double m = Median(wall[code]);
                double voice = Median(steps[code].Select(s => s.TryGetValue(StepNames.Voice, out var v) ? v : 0));
                double render = Median(steps[code].Select(s => s.TryGetValue(StepNames.Render, out var v) ? v : 0));
                Console.WriteLine(string.Create(inv, $"| {code} | {lengths[code]:0.0} s | {m:0.00} s | {m / en:0.00}× | {voice:0.00} s | {render:0.00} s |"));
            }
            Console.WriteLine(string.Create(inv, $"target: ar and zh within 1.2× of en → ar {Median(wall["ar"]) / en:0.00}×, zh {Median(wall["zh"]) / en:0.00}×"));
        }
        finally
        {
            try { Directory.Delete(root, true); } catch (IOException) { }
        }
    }

    private static double Median(IEnumerable<double> values)
    {
        var v = values.OrderBy(x => x).ToArray();
        return v.Length == 0 ? 0 : v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
    }
}
