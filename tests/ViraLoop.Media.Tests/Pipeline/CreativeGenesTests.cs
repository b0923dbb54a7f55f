using System.Text.Json;
using ViraLoop.Media.Pipeline;
using ViraLoop.Media.Pipeline.Steps;
using ViraLoop.Media.Speech;
using ViraLoop.Media.Tests.Pipeline.Steps;

namespace ViraLoop.Media.Tests.Pipeline;

/// <summary>Two contrasting genomes, same topic, length and seed, rendered once at preview size for <see cref="CreativeGenesTests"/>.</summary>
public sealed class GenomeRenders : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("vl-genes-").FullName;

    public static readonly VideoRequest Base = new() { Topic = "The octopus brain", DurationSeconds = 12, Preview = true, Seed = 21 };

    /// <summary>Fast pacing, boxed captions, fast voice, the title on a box, a question title.</summary>
    public static readonly Dictionary<string, string> GenomeA = new()
    {
        ["hook"] = "question", ["pacing"] = "fast", ["caption"] = "boxed", ["visual"] = "gradient", ["palette"] = "sunset", ["mood"] = "upbeat",
        ["voice"] = "fast", ["thumbnail"] = "title-box", ["title"] = "question",
    };

    /// <summary>Slow pacing, karaoke captions, deep voice, one big word on the thumbnail, a number title.</summary>
    public static readonly Dictionary<string, string> GenomeB = new()
    {
        ["hook"] = "bold-claim", ["pacing"] = "slow", ["caption"] = "karaoke", ["visual"] = "gradient", ["palette"] = "sunset", ["mood"] = "calm",
        ["voice"] = "deep", ["thumbnail"] = "big-word", ["title"] = "number",
    };

    public VideoResult A { get; private set; } = null!;
    public VideoResult B { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var pipeline = VideoPipeline.CreateOffline();
        await Task.WhenAll(
            Task.Run(async () => A = await pipeline.RunAsync(CreativeGenes.Apply(Base, GenomeA), Path.Combine(_root, "a"))),
            Task.Run(async () => B = await pipeline.RunAsync(CreativeGenes.Apply(Base, GenomeB), Path.Combine(_root, "b"))));
    }

    public Task DisposeAsync()
    {
        // VL_KEEP=DIR keeps the two renders there, to look at their frames and thumbnails.
        if (Environment.GetEnvironmentVariable("VL_KEEP") is { } keep) { Directory.Move(_root, keep); return Task.CompletedTask; }
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }
}

public sealed class CreativeGenesTests(GenomeRenders renders, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<GenomeRenders>
{
    private static JsonElement Manifest(VideoResult r) => JsonDocument.Parse(File.ReadAllText(r.ManifestPath)).RootElement.Clone();

    [Fact]
    public void Manifest_RecordsAllNineGenesAsUsed()
    {
        foreach (var (video, genome) in new[] { (renders.A, GenomeRenders.GenomeA), (renders.B, GenomeRenders.GenomeB) })
        {
            var recorded = Manifest(video).GetProperty("genome").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
            Assert.Equal(CreativeGenes.Names.Order(), recorded.Keys.Order());
            Assert.Equal(genome.OrderBy(g => g.Key), recorded.OrderBy(g => g.Key)!);
        }
    }

    [Fact]
    public void Pacing_FastHasMoreShorterScenesThanSlow()
    {
        var fast = Manifest(renders.A).GetProperty("scenes").EnumerateArray().Select(s => s.GetProperty("end").GetDouble() - s.GetProperty("start").GetDouble()).ToList();
        var slow = Manifest(renders.B).GetProperty("scenes").EnumerateArray().Select(s => s.GetProperty("end").GetDouble() - s.GetProperty("start").GetDouble()).ToList();
        output.WriteLine($"scenes: fast {fast.Count} (mean {fast.Average():0.00} s), slow {slow.Count} (mean {slow.Average():0.00} s)");
        Assert.True(fast.Count > slow.Count, $"fast pacing: {fast.Count} scenes, slow: {slow.Count}");
        Assert.True(fast.Average() < slow.Average() * 0.8, $"mean scene: fast {fast.Average():0.00} s, slow {slow.Average():0.00} s");
    }

    [Fact]
    public void TitleTemplate_QuestionAndNumberTitles()
    {
        Assert.Equal("What is the truth about the octopus brain?", renders.A.Script.Title);
        int facts = renders.B.Script.Scenes.Count(s => s.Kind == SceneKind.Body);
        Assert.Equal($"{facts} {(facts == 1 ? "fact" : "facts")} about the octopus brain", renders.B.Script.Title);
        Assert.Equal(renders.A.Script.Title, Manifest(renders.A).GetProperty("script").GetProperty("title").GetString());
    }

    /// <summary>Share of dark pixels (luma under 45) and the longest dark horizontal run, in the caption band of a body scene's frame.</summary>
    private static async Task<(double DarkShare, int LongestRun)> CaptionBandAsync(VideoResult video)
    {
        var body = video.Scenes.First(s => s.Script.Kind == SceneKind.Body);
        var (px, w, h) = await MediaProbe.GrayFrameAsync(video.VideoPath, body.Start + Math.Min(0.8, body.Duration / 2), 540, 960);
        // The caption band of the 1080×1920 layout, halved: two 80 px lines above the baseline at y 1450, x 140–910.
        int y0 = 600, y1 = 740, x0 = 70, x1 = 455;
        int dark = 0, longest = 0;
        for (int y = y0; y < y1; y++)
        {
            int run = 0;
            for (int x = x0; x < x1; x++)
            {
                bool d = px[y * w + x] < 45;
                if (d) { dark++; run++; longest = Math.Max(longest, run); } else run = 0;
            }
        }
        return ((double)dark / ((y1 - y0) * (x1 - x0)), longest);
    }

    [Fact]
    public async Task Captions_BoxedHasADarkBoxBehindTheTextKaraokeHasNone()
    {
        var (boxedShare, boxedRun) = await CaptionBandAsync(renders.A);
        var (karaokeShare, karaokeRun) = await CaptionBandAsync(renders.B);
        output.WriteLine($"caption band dark: boxed {boxedShare:P1} (run {boxedRun} px), karaoke {karaokeShare:P1} (run {karaokeRun} px)");
        Assert.True(boxedShare > 0.2, $"boxed captions: {boxedShare:P0} of the caption band is dark");
        Assert.True(boxedRun > 120, $"boxed captions: the longest dark run is {boxedRun} px");
        Assert.True(karaokeShare < boxedShare * 0.6, $"karaoke {karaokeShare:P0} dark vs boxed {boxedShare:P0}");
        Assert.True(karaokeRun < boxedRun / 2, $"karaoke longest dark run {karaokeRun} px vs boxed {boxedRun} px");
        var ass = File.ReadAllText(Path.Combine(Path.GetDirectoryName(renders.B.VideoPath)!, VideoPipeline.CaptionsFile));
        Assert.Contains("\\kf", ass);
    }

    /// <summary>Shares of dark (luma under 45) and yellow pixels in the middle third of a thumbnail.</summary>
    private static async Task<(double Dark, double Yellow)> ThumbnailMiddleAsync(VideoResult video)
    {
        var (rgb, w, h) = await MediaProbe.RgbImageAsync(video.ThumbnailPath, 270, 480);
        int dark = 0, yellow = 0, n = 0;
        for (int y = h / 3; y < 2 * h / 3; y++)
            for (int x = 0; x < w; x++, n++)
            {
                int i = 3 * (y * w + x);
                var (r, g, b) = (rgb[i], rgb[i + 1], rgb[i + 2]);
                if (0.299 * r + 0.587 * g + 0.114 * b < 45) dark++;
                if (r > 200 && g > 170 && b < 90) yellow++;
            }
        return ((double)dark / n, (double)yellow / n);
    }

    [Fact]
    public async Task Thumbnail_TitleBoxIsADarkBoxBigWordIsLargeYellowLetters()
    {
        var (boxDark, boxYellow) = await ThumbnailMiddleAsync(renders.A);
        var (wordDark, wordYellow) = await ThumbnailMiddleAsync(renders.B);
        output.WriteLine($"thumbnail middle: title-box dark {boxDark:P1} yellow {boxYellow:P1}; big-word dark {wordDark:P1} yellow {wordYellow:P1}");
        Assert.True(boxDark > 0.15, $"title-box: {boxDark:P0} of the middle is dark");
        Assert.True(wordYellow > 0.04, $"big-word: {wordYellow:P1} of the middle is yellow letters");
        Assert.True(boxYellow < wordYellow / 4, $"title-box yellow {boxYellow:P1} vs big-word {wordYellow:P1}");
        // The big word is the topic's main word: OCR reads it from the yellow letters alone (kept black on white, tilt undone).
        const string yellowOnly = "if(gt(g(X\\,Y)\\,200)*lt(b(X\\,Y)\\,80)\\,0\\,255)";
        var read = MediaProbe.Words(await MediaProbe.OcrAsync(renders.B.ThumbnailPath,
            $"crop=iw:ih/4:0:ih*3/8,format=rgb24,geq=r='{yellowOnly}':g='{yellowOnly}':b='{yellowOnly}',rotate=6*PI/180:fillcolor=white", "eng", pageSegmentation: 7));
        Assert.Equal(["octopus"], read);
    }

    /// <summary>A voice's fundamental frequency: the median over voiced 40 ms frames of the autocorrelation peak between 60 and 400 Hz.</summary>
    private static double MedianPitch(float[] s, int rate)
    {
        int frame = rate / 25, minLag = rate / 400, maxLag = rate / 60;
        double peak = s.Max(Math.Abs);
        var pitches = new List<double>();
        for (int start = 0; start + frame + maxLag < s.Length; start += frame / 2)
        {
            double energy = 0;
            for (int i = start; i < start + frame; i++) energy += s[i] * s[i];
            if (Math.Sqrt(energy / frame) < peak * 0.1) continue;
            (int Lag, double R) best = (0, 0);
            for (int lag = minLag; lag <= maxLag; lag++)
            {
                double c = 0, e2 = 0;
                for (int i = start; i < start + frame; i++) { c += s[i] * s[i + lag]; e2 += s[i + lag] * s[i + lag]; }
                double r = c / Math.Sqrt(energy * e2 + 1e-12);
                if (r > best.R) best = (lag, r);
            }
            if (best.R > 0.6) pitches.Add((double)rate / best.Lag);
        }
        Assert.True(pitches.Count > 10, $"only {pitches.Count} voiced frames");
        return pitches.Order().ElementAt(pitches.Count / 2);
    }

    [Fact]
    public async Task Voice_FastIsShorterDeepIsLower()
    {
        using var media = new StepTestMedia();
        var step = new SceneVoiceStep(new EspeakSynthesizer());
        const string text = "The octopus brain is spread through its eight arms.";
        var results = new Dictionary<string, (double Seconds, double Pitch)>();
        foreach (var tone in CreativeGenes.VoiceValues)
        {
            var r = await step.RunAsync(new SceneVoiceSpec(0, text, "en", 1.0, media.PathOf($"{tone}.wav"), tone));
            double seconds = MediaProbe.Duration(await MediaProbe.ProbeAsync(r.AudioPath));
            results[tone] = (seconds, MedianPitch(await MediaProbe.DecodeMonoAsync(r.AudioPath, 16000), 16000));
        }
        var (normal, fast, deep) = (results["normal"], results["fast"], results["deep"]);
        output.WriteLine(string.Join("; ", results.Select(r => $"{r.Key}: {r.Value.Seconds:0.00} s, {r.Value.Pitch:0} Hz")));
        Assert.True(fast.Seconds < normal.Seconds * 0.85, $"fast {fast.Seconds:0.00} s vs normal {normal.Seconds:0.00} s");
        Assert.True(fast.Seconds < deep.Seconds * 0.8, $"fast {fast.Seconds:0.00} s vs deep {deep.Seconds:0.00} s");
        Assert.True(deep.Pitch < normal.Pitch * 0.85, $"deep {deep.Pitch:0} Hz vs normal {normal.Pitch:0} Hz");
        Assert.True(deep.Pitch < fast.Pitch * 0.85, $"deep {deep.Pitch:0} Hz vs fast {fast.Pitch:0} Hz");
    }
}

public sealed class CreativeGeneValidationTests
{
    [Theory]
    [InlineData("pacing", "fast, medium, slow")]
    [InlineData("captions", "classic, boxed, karaoke")]
    [InlineData("voice", "normal, fast, deep")]
    [InlineData("thumbnail", "title-box, big-word, clean")]
    [InlineData("title", "question, how-to, number")]
    public void VideoChoices_UnknownGeneValue_RefusedWithTheKnownValues(string field, string known)
    {
        var r = GenomeRenders.Base;
        var bad = field switch
        {
            "pacing" => r with { Pacing = "turbo" },
            "captions" => r with { Captions = "turbo" },
            "voice" => r with { Voice = "turbo" },
            "thumbnail" => r with { Thumbnail = "turbo" },
            _ => r with { TitleTemplate = "turbo" },
        };
        var e = Assert.Throws<MediaInputException>(() => VideoChoices.For(bad));
        Assert.Contains("'turbo'", e.Message);
        Assert.Contains(known, e.Message);
    }

    [Fact]
    public void Apply_UnknownGeneBadValueOrContradiction_RefusedNamingIt()
    {
        var e = Assert.Throws<MediaInputException>(() => CreativeGenes.Apply(GenomeRenders.Base, new Dictionary<string, string> { ["colour"] = "red" }));
        Assert.Contains("genome.colour", e.Message);
        Assert.Contains("hook, pacing, caption, visual, palette, mood, voice, thumbnail, title", e.Message);
        e = Assert.Throws<MediaInputException>(() => CreativeGenes.Apply(GenomeRenders.Base, new Dictionary<string, string> { ["visual"] = "auto" }));
        Assert.Contains("genome.visual", e.Message);
        Assert.Contains("gradient, particles, geometric, kinetic, zoom", e.Message);
        e = Assert.Throws<MediaInputException>(() => CreativeGenes.Apply(GenomeRenders.Base, new Dictionary<string, string> { ["pacing"] = "fast" },
            CreativeGenes.Given(null, "slow", null, null, null, null, null, null, null)));
        Assert.Contains("contradicts", e.Message);
    }

    [Fact]
    public void Parse_SubsetMapsOntoTheRequestFields_MalformedRefused()
    {
        var r = CreativeGenes.Apply(GenomeRenders.Base, CreativeGenes.Parse("hook=story; pacing=slow;caption=karaoke;voice=deep;thumbnail=clean;title=how-to;visual=zoom;palette=mono;mood=dramatic"));
        Assert.Equal(("story", "slow", "karaoke", "deep", "clean", "how-to", "zoom", "mono", "dramatic"),
            (r.Hook, r.Pacing, r.Captions, r.Voice, r.Thumbnail, r.TitleTemplate, r.Style, r.Palette, r.Mood));
        Assert.Throws<MediaInputException>(() => CreativeGenes.Parse("hook"));
        Assert.Throws<MediaInputException>(() => CreativeGenes.Parse("hook=story;hook=number"));
    }

    [Fact]
    public void TemplateWriter_PacingAndTitle_InPolishToo()
    {
        var pl = new VideoRequest { Topic = "Ośmiornice", Language = "pl", DurationSeconds = 30, Seed = 3 };
        var fast = ViraLoop.Media.Writing.TemplateScriptWriter.Write(pl with { Pacing = "fast", TitleTemplate = "number" });
        var slow = ViraLoop.Media.Writing.TemplateScriptWriter.Write(pl with { Pacing = "slow", TitleTemplate = "how-to" });
        Assert.True(fast.Scenes.Count > slow.Scenes.Count + 2, $"fast {fast.Scenes.Count} scenes, slow {slow.Scenes.Count}");
        int facts = fast.Scenes.Count(s => s.Kind == SceneKind.Body);
        Assert.StartsWith($"{facts} fakt", fast.Title);
        Assert.EndsWith(": Ośmiornice", fast.Title);
        Assert.Equal("Ośmiornice: jak to działa?", slow.Title);
    }
}
