using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using ViraLoop.Media.Pipeline;
using ViraLoop.Media.Speech;
using ViraLoop.Media.Text;
using Xunit;
using Xunit.Abstractions;

namespace ViraLoop.Media.Tests.Languages;

/// <summary>One short preview per script, rendered once for the class: two scenes from a scene list, on a calm gradient.</summary>
public sealed class ScriptVideos : IAsyncLifetime
{
    public sealed record Case(string Code, string Tesseract, string Hook, string Body);

    /// <summary>The scripts the issue names, each with the tesseract pack that reads it back.</summary>
    public static readonly Case[] Cases =
    [
        new("pl", "pol", "Ośmiornice są naprawdę mądre 🐙", "Żółw uczy się szybciej, niż myślisz 🚀"),
        new("ru", "rus", "Кот очень умный зверь.", "Осьминоги быстро решают сложные задачи."),
        new("el", "ell", "Τα χταπόδια είναι πολύ έξυπνα ζώα.", "Λύνουν γρήγορα δύσκολα προβλήματα."),
        new("ar", "ara", "هذا حيوان ذكي جدا.", "للأخطبوط ثلاثة قلوب و DNA غريب."),  // mixed direction in the body
        new("he", "heb", "התמנון הוא חיה חכמה מאוד.", "הוא פותר בעיות קשות במהירות."),
        new("hi", "hin", "ऑक्टोपस बहुत बुद्धिमान जानवर है।", "वह कठिन समस्याएं जल्दी हल करता है।"),
        new("th", "tha", "ปลาหมึกยักษ์เป็นสัตว์ที่ฉลาดมาก", "มันแก้ปัญหายากได้อย่างรวดเร็ว"),
        new("zh", "chi_sim", "章鱼是非常聪明的动物。", "它们能很快解决困难的问题。"),
        new("ja", "jpn", "タコはとても賢い動物です。", "難しい問題をすぐに解決します。"),
    ];

    private readonly string _root = Directory.CreateTempSubdirectory("vl-scripts-").FullName;
    public Dictionary<string, VideoResult> Videos { get; } = [];

    public async Task InitializeAsync()
    {
        var pipeline = VideoPipeline.CreateOffline();
        using var gate = new SemaphoreSlim(2);
        var results = await Task.WhenAll(Cases.Select(async c =>
        {
            await gate.WaitAsync();
            try
            {
                var request = new VideoRequest
                {
                    Topic = c.Hook, Language = c.Code, Preview = true, Seed = 3, Style = "gradient", Palette = "ocean", DurationSeconds = 8,
                    Scenes = [new SceneInput { Text = c.Hook }, new SceneInput { Text = c.Body }],
                };
                return (c.Code, await pipeline.RunAsync(request, Path.Combine(_root, c.Code)));
            }
            finally { gate.Release(); }
        }));
        foreach (var (code, r) in results) Videos[code] = r;
    }

    public Task DisposeAsync()
    {
        // VIRALOOP_KEEP_RENDERS=1 keeps the videos to look at (the path is in the test output).
        if (Environment.GetEnvironmentVariable("VIRALOOP_KEEP_RENDERS") == "1") { Console.WriteLine($"renders kept in {_root}"); return Task.CompletedTask; }
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }
}

/// <summary>
/// Captions in every script, read back from rendered frames: OCR (tesseract with each script's pack) finds the caption's
/// words, libass finds a glyph for every character, right-to-left captions start on the right, and the voice speaks
/// every language where its words are.
/// </summary>
public sealed partial class ScriptVideosTests(ScriptVideos videos, ITestOutputHelper output) : IClassFixture<ScriptVideos>
{
    public static TheoryData<string> Codes => new(ScriptVideos.Cases.Select(c => c.Code));

    [Theory]
    [MemberData(nameof(Codes))]
    public async Task Captions_ReadBack_ByOcr_InEveryScript(string code)
    {
        var c = ScriptVideos.Cases.Single(x => x.Code == code);
        var video = videos.Videos[code];
        var ass = await File.ReadAllTextAsync(Path.Combine(Path.GetDirectoryName(video.VideoPath)!, "captions.ass"));
        // The longest hook caption on screen (the hook is the middle band of the preview), read half-way through.
        // (From the hook scene: each case's hook is a plain sentence in its script; bodies may mix in Latin words.)
        var line = Dialogues(ass).Where(d => d.Style == "Hook" && Letters(c.Hook).Contains(Letters(d.Text), StringComparison.Ordinal)).OrderByDescending(d => Letters(d.Text).Length * 10 + (d.End - d.Start)).First();
        // The same words are on screen while each of them is highlighted in turn: read the chunk at its first and its last
        // highlight, and count a word as read back when either frame gives it exactly.
        var chunk = Dialogues(ass).Where(d => d.Style == "Hook" && d.Text == line.Text).OrderBy(d => d.Start).ToList();
        var reads = new List<string>();
        // Each frame is read as one block (--psm 6) and as a column of lines (--psm 4): tesseract's Arabic model often
        // reads only one line of a two-line caption in either mode alone.
        foreach (var d in new[] { chunk[0], chunk[^1] }.Distinct())
            foreach (var psm in new[] { 6, 4 })
                reads.Add(await MediaProbe.OcrAsync(video.VideoPath, "crop=540:260:0:350,scale=iw*2:ih*2,format=rgb24," +
                    // Caption letters (white or the yellow highlight) black on white, everything else (background, outline) white.
                    "geq=r='if(gt(r(X,Y),200)*gt(g(X,Y),170),0,255)':g='if(gt(r(X,Y),200)*gt(g(X,Y),170),0,255)':b='if(gt(r(X,Y),200)*gt(g(X,Y),170),0,255)'",
                    c.Tesseract, (d.Start + d.End) / 2, psm));
        double at = (chunk[0].Start + chunk[^1].End) / 2;
        var read = string.Join(FrameSeparator, reads);
        // Tolerance: OCR of a compressed frame with an outlined caption misreads some letters. At least 60 % of the caption's
        // words must come back exactly — of its characters in scripts without spaces. Arabic words count by how closely
        // they are read (1 − edit distance / length, the best reading of each word), 80 % on average: tesseract's Arabic
        // model drops the dots that tell ج from ح at caption size, which would fail whole words.
        bool byCharacter = WordBreaker.HasUnspacedScript(line.Text);
        double needed = code == "ar" ? 0.8 : 0.6;
        double score = code == "ar" ? CloseWords(line.Text, read) : Overlap(line.Text, read, byCharacter);
        output.WriteLine($"{code} at {at:0.00} s: caption [{line.Text}] OCR [{read.Replace(FrameSeparator, '|').Trim()}] overlap {score:P0}");
        Assert.True(score >= needed, $"{code}: OCR read [{read.Replace(FrameSeparator, '|').Trim()}] for the caption [{line.Text}] ({score:P0} of it, {needed:P0} needed)");
        // The caption is the narration's own text (emoji kept for the picture, never lost).
        Assert.Contains(Letters(line.Text), Letters(c.Hook + c.Body));
    }

    [Theory]
    [MemberData(nameof(Codes))]
    public async Task Libass_FindsAGlyph_ForEveryCharacter(string code)
    {
        // The real renderer, verbose: libass says when no installed font has a character (a tofu box in the picture).
        var dir = Path.GetDirectoryName(videos.Videos[code].VideoPath)!;
        var r = await Tools.RunAsync(Tools.Ffmpeg, ["-v", "verbose", "-f", "lavfi", "-i", "color=c=gray:s=540x960:d=8:r=5",
            "-vf", $"ass={Path.Combine(dir, "captions.ass")}", "-f", "null", "-"]);
        Assert.Equal(0, r.ExitCode);
        // ("Glyph … not found, selecting one more font" is libass falling back, which is how other scripts are found.)
        var misses = r.StdErr.Split('\n').Where(l => l.Contains("not found in font", StringComparison.OrdinalIgnoreCase)
            || l.Contains("failed to find any fallback", StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.True(misses.Count == 0, $"{code}: libass has no glyph for: {string.Join(" | ", misses.Take(5))}");
        Assert.Contains("fontselect", r.StdErr); // libass did log its font choices at this level, so silence above means something
    }

    [Theory]
    [InlineData("ar", true)]
    [InlineData("he", true)]
    [InlineData("ru", false)]
    public async Task TheFirstWordSpoken_IsHighlighted_AtTheStartOfTheLine(string code, bool rightToLeft)
    {
        var video = videos.Videos[code];
        var ass = await File.ReadAllTextAsync(Path.Combine(Path.GetDirectoryName(video.VideoPath)!, "captions.ass"));
        // The hook's first caption event highlights its first word (the first word spoken).
        var first = Dialogues(ass).Where(d => d.Style == "Hook").OrderBy(d => d.Start).First();
        double at = first.Start + Math.Min(0.2, (first.End - first.Start) / 2);
        var png = Path.Combine(Path.GetTempPath(), $"rtl-{Guid.NewGuid():N}.png");
        var x = await Tools.RunAsync(Tools.Ffmpeg, ["-v", "error", "-y", "-ss", at.ToString(CultureInfo.InvariantCulture), "-i", video.VideoPath, "-frames:v", "1", png]);
        Assert.Equal(0, x.ExitCode);
        var (rgb, w, h) = await MediaProbe.RgbImageAsync(png, 540, 960);
        File.Delete(png);
        // The caption's first line (the top rows with caption pixels in the hook's band): where the highlight (yellow,
        // &H0000E5FF) is against where that line's white words are.
        static bool IsYellow(byte r, byte g, byte b) => r > 215 && g is > 180 and < 250 && b < 90;
        static bool IsWhite(byte r, byte g, byte b) => r > 225 && g > 225 && b > 225;
        int top = -1;
        for (int y = 350; y < 610 && top < 0; y++)
        {
            int n = 0;
            for (int px = 0; px < w; px++) { int i = 3 * (y * w + px); if (IsYellow(rgb[i], rgb[i + 1], rgb[i + 2]) || IsWhite(rgb[i], rgb[i + 1], rgb[i + 2])) n++; }
            if (n > 5) top = y;
        }
        Assert.True(top > 0, $"{code}: no caption in the hook band at {at:0.00} s");
        double yellowX = 0, whiteX = 0;
        int yellow = 0, white = 0;
        for (int y = top; y < top + 40; y++)
            for (int px = 0; px < w; px++)
            {
                int i = 3 * (y * w + px);
                byte r = rgb[i], g = rgb[i + 1], b = rgb[i + 2];
                if (IsYellow(r, g, b)) { yellowX += px; yellow++; }
                else if (IsWhite(r, g, b)) { whiteX += px; white++; }
            }
        Assert.True(yellow > 50 && white > 50, $"{code}: no caption at {at:0.00} s (yellow {yellow}, white {white} pixels)");
        yellowX /= yellow;
        whiteX /= white;
        output.WriteLine($"{code}: highlighted word at x≈{yellowX:0}, the other words at x≈{whiteX:0}");
        if (rightToLeft) Assert.True(yellowX > whiteX + 20, $"{code}: the first word spoken is not on the right (highlight x {yellowX:0}, rest {whiteX:0})");
        else Assert.True(yellowX < whiteX - 20, $"{code}: the first word spoken is not on the left (highlight x {yellowX:0}, rest {whiteX:0})");
    }

    [Theory]
    [MemberData(nameof(Codes))]
    public async Task TheVoice_SpeaksWhereItsWordsAre(string code)
    {
        var c = ScriptVideos.Cases.Single(x => x.Code == code);
        var dir = Directory.CreateTempSubdirectory("vl-voice-").FullName;
        try
        {
            var step = new ViraLoop.Media.Pipeline.Steps.SceneVoiceStep(new EspeakSynthesizer());
            var r = await step.RunAsync(new ViraLoop.Media.Pipeline.Steps.SceneVoiceSpec(0, c.Hook, code, 1.0, Path.Combine(dir, "v.wav")));
            var wav = WavFile.Read(r.AudioPath);
            var spoken = r.Words.Where(x => x.End > x.Start).ToList();
            Assert.True(spoken.Count >= 3, $"{code}: only {spoken.Count} timed words: {string.Join(" | ", r.Words.Select(x => x.Word))}");
            // Every word window has speech in it (RMS over -35 dBFS).
            foreach (var word in spoken)
            {
                double db = Rms(wav, word.Start, word.End);
                Assert.True(db > -35, $"{code}: no speech under '{word.Word}' ({word.Start:0.00}–{word.End:0.00} s): {db:0.0} dBFS");
            }
            // The words cover the speech: from the first to the last word is most of the voiced span, and the WAV is quiet
            // after the last word (the gap before the next scene is silence).
            var (vs, ve) = wav.VoicedSpan();
            Assert.True(spoken[0].Start <= vs + 0.15 && spoken[^1].End >= ve - 0.15, $"{code}: words {spoken[0].Start:0.00}–{spoken[^1].End:0.00} s, voice {vs:0.00}–{ve:0.00} s");
            if (wav.DurationSeconds - spoken[^1].End > 0.05) Assert.True(Rms(wav, spoken[^1].End + 0.03, wav.DurationSeconds) < -35, $"{code}: sound after the last word");
            // Emoji are never read: the Polish hook's 🐙 has no time of its own.
            foreach (var e in r.Words.Where(x => Emoji.StripForSpeech(x.Word).Length == 0)) Assert.Equal(e.Start, e.End);
        }
        finally { Directory.Delete(dir, true); }
    }

    private static double Rms(WavFile wav, double from, double to)
    {
        int a = Math.Clamp((int)(from * wav.SampleRate) * wav.Channels, 0, wav.Samples.Length), b = Math.Clamp((int)(to * wav.SampleRate) * wav.Channels, 0, wav.Samples.Length);
        if (b <= a) return -120;
        double sum = 0;
        for (int i = a; i < b; i++) sum += (double)wav.Samples[i] * wav.Samples[i];
        return 10 * Math.Log10(sum / (b - a) / (32768.0 * 32768.0) + 1e-12);
    }

    /// <summary>How much of the caption OCR read: the share of its words found (or, without spaces, of its characters).</summary>
    private const char FrameSeparator = '\u0001';

    private static double Overlap(string caption, string read, bool byCharacter)
    {
        if (byCharacter)
        {
            return read.Split(FrameSeparator).Max(r =>
            {
                var have = Letters(r).EnumerateRunes().GroupBy(x => x).ToDictionary(g => g.Key, g => g.Count());
                var want = Letters(caption).EnumerateRunes().ToList();
                int found = 0;
                foreach (var x in want)
                    if (have.TryGetValue(x, out var n) && n > 0) { found++; have[x] = n - 1; }
                return want.Count == 0 ? 0 : (double)found / want.Count;
            });
        }
        return Score(caption, read);
    }

    /// <summary>Mean over the caption's words of how closely the best OCR word matches it (1 − edit distance / length).</summary>
    private static double CloseWords(string caption, string read)
    {
        var words = caption.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(Letters).Where(w => w.Length > 0).ToList();
        var readWords = read.Replace(FrameSeparator, '\n').Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Select(Letters).Where(w => w.Length > 0).ToList();
        if (words.Count == 0 || readWords.Count == 0) return 0;
        return words.Average(w => readWords.Max(r => 1 - (double)EditDistance.Of(w, r) / Math.Max(w.Length, r.Length)));
    }

    private static double Score(string caption, string read)
    {
        var words = caption.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(Letters).Where(w => w.Length > 0).ToList();
        var readWords = read.Replace(FrameSeparator, '\n').Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Select(Letters).ToHashSet();
        return words.Count == 0 ? 0 : (double)words.Count(readWords.Contains) / words.Count;
    }

    /// <summary>Letters, marks and digits only, lower case, NFC (so OCR output and captions compare).</summary>
    private static string Letters(string s) =>
        new string(s.Normalize(NormalizationForm.FormC).ToLowerInvariant().Where(ch => char.IsLetterOrDigit(ch)
            || CharUnicodeInfo.GetUnicodeCategory(ch) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark).ToArray());

    private static List<(double Start, double End, string Style, string Text)> Dialogues(string ass) =>
        ass.Split('\n').Where(l => l.StartsWith("Dialogue:", StringComparison.Ordinal)).Select(l =>
        {
            var f = l["Dialogue:".Length..].Split(',', 10);
            var text = OverrideTags().Replace(f[9], "").Replace("\\N", " ").Trim();
            return (Time(f[1]), Time(f[2]), f[3].Trim(), text);
        }).ToList();

    private static double Time(string t)
    {
        var p = t.Trim().Split(':');
        return int.Parse(p[0], CultureInfo.InvariantCulture) * 3600 + int.Parse(p[1], CultureInfo.InvariantCulture) * 60 + double.Parse(p[2], CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex OverrideTags();
}
