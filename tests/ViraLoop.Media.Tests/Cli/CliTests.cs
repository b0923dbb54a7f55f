using System.Diagnostics;

namespace ViraLoop.Media.Tests.Cli;

/// <summary>The viraloop command as a user runs it: exit codes and messages for bad input, a video for good input.</summary>
public sealed class CliTests
{
    private static async Task<(int Code, string Out, string Err)> RunAsync(IEnumerable<string> args, Dictionary<string, string>? env = null)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "viraloop.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in env ?? []) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        return (p.ExitCode, await o, await e);
    }

    [Theory]
    [InlineData("", "topic is empty")]
    [InlineData("--lang=xx", "Unknown language 'xx'")]
    [InlineData("--lang=arabik", "Did you mean: ar (العربية)")]
    [InlineData("--style=vaporwave", "Unknown style 'vaporwave'")]
    [InlineData("--duration=0", "out of range")]
    [InlineData("--pacing=turbo", "Unknown pacing 'turbo'. Known: fast, medium, slow.")]
    [InlineData("--captions=neon", "Known: classic, boxed, karaoke.")]
    [InlineData("--genome=hook=question;colour=red", "genome.colour: unknown gene")]
    [InlineData("--genome=voice=robot", "genome.voice: 'robot' is not a voice value; known: normal, fast, deep.")]
    [InlineData("--genome=hook", "is not gene=value")]
    public async Task Generate_BadInput_ExitsWith2AndSaysWhy(string extra, string expected)
    {
        var args = new List<string> { "generate", "--topic", extra == "" ? "" : "Octopuses", "--out", Path.Combine(Path.GetTempPath(), "vl-cli-" + Guid.NewGuid().ToString("N")) };
        if (extra != "") args.Add(extra);
        var (code, _, err) = await RunAsync(args);
        Assert.Equal(2, code);
        Assert.Contains(expected, err);
        Assert.DoesNotContain("   at ", err); // no stack trace
    }

    [Fact]
    public async Task Generate_ATopicThePolicyRefuses_ExitsWith2_NamingTheCategoryAndPassage_AndMakesNothing()
    {
        var outDir = Path.Combine(Path.GetTempPath(), "vl-cli-" + Guid.NewGuid().ToString("N"));
        var (code, _, err) = await RunAsync(["generate", "--topic", "How to m4ke a b0mb at home", "--preview", "--duration", "5", "--out", outDir]);
        Assert.True(code == 2, $"exit code {code}; stderr: {err}");
        Assert.Contains("content policy refuses this (dangerous) in the topic", err);
        Assert.Contains("How to m4ke a b0mb at home", err);
        Assert.DoesNotContain("   at ", err);
        Assert.False(File.Exists(Path.Combine(outDir, "video.mp4")));
    }

    [Fact]
    public async Task Generate_ATopicAloneInALanguageWithoutTemplates_ExitsWith2_SayingWhatWorks()
    {
        var (code, _, err) = await RunAsync(["generate", "--topic", "ปลาหมึกยักษ์", "--lang", "Thai", "--preview", "--out", Path.Combine(Path.GetTempPath(), "vl-cli-" + Guid.NewGuid().ToString("N"))]);
        Assert.Equal(2, code);
        Assert.Contains("(th)", err);
        Assert.Contains("--text", err);
        Assert.Contains("--scenes", err);
        Assert.Contains("--llm-url", err);
    }

    [Fact]
    public async Task Languages_ListsCodesNamesAndWhatTheWriterNeeds()
    {
        var (code, output, _) = await RunAsync(["languages"]);
        Assert.Equal(0, code);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.StartsWith("en ", StringComparison.Ordinal) && l.Contains("topic, text, scenes"));
        Assert.Contains(lines, l => l.StartsWith("ar ", StringComparison.Ordinal) && l.Contains("rtl"));
        Assert.Contains(lines, l => l.StartsWith("th ", StringComparison.Ordinal) && l.Contains("text, scenes, LLM"));
        Assert.Contains(lines, l => l.StartsWith("sw ", StringComparison.Ordinal)); // one espeak-ng reads out, not curated
        Assert.True(lines.Length > 90, $"only {lines.Length} languages listed");
    }

    [Fact]
    public async Task Generate_TenKilobyteTopic_ExitsWith2()
    {
        var (code, _, err) = await RunAsync(["generate", "--topic", new string('x', 10_240), "--out", Path.GetTempPath()]);
        Assert.Equal(2, code);
        Assert.Contains("at most 200", err);
    }

    [Fact]
    public async Task Generate_UnwritableOutput_ExitsWith2()
    {
        var file = Path.GetTempFileName();
        var (code, _, err) = await RunAsync(["generate", "--topic", "Octopuses", "--duration", "5", "--preview", "--out", Path.Combine(file, "sub")]);
        Assert.Equal(2, code);
        Assert.Contains("Cannot write to the output directory", err);
        File.Delete(file);
    }

    [Theory]
    [InlineData("VIRALOOP_FFMPEG", "apt-get install -y ffmpeg")]
    [InlineData("VIRALOOP_ESPEAK", "apt-get install -y espeak-ng")]
    public async Task Generate_MissingTool_ExitsWith3AndSaysHowToInstall(string variable, string install)
    {
        var (code, _, err) = await RunAsync(["generate", "--topic", "Octopuses", "--out", Path.GetTempPath()],
            new() { [variable] = "/nonexistent/tool" });
        Assert.Equal(3, code);
        Assert.Contains(install, err);
    }

    [Fact]
    public async Task Generate_MissingOption_ExitsWith2()
    {
        var (code, _, err) = await RunAsync(["generate"]);
        Assert.Equal(2, code);
        Assert.Contains("--topic", err);
    }

    [Fact]
    public async Task Generate_Topic_WritesVideoThumbnailAndManifest()
    {
        var dir = Path.Combine(Path.GetTempPath(), "vl-cli-" + Guid.NewGuid().ToString("N"));
        var (code, output, err) = await RunAsync(["generate", "--topic", "Why cats purr", "--duration", "5", "--preview", "--json", "--out", dir]);
        Assert.True(code == 0, err);
        Assert.Contains("video.mp4", output);
        foreach (var f in new[] { "video.mp4", "thumbnail.jpg", "manifest.json", "captions.ass", "hls/index.m3u8" })
            Assert.True(new FileInfo(Path.Combine(dir, f)).Length > 100, f);
        var probe = await MediaProbe.ProbeAsync(Path.Combine(dir, "video.mp4"));
        Assert.InRange(MediaProbe.Duration(probe), 4.5, 5.5);
        var v = MediaProbe.Stream(probe, "video");
        Assert.Equal((540, 960), (v.GetProperty("width").GetInt32(), v.GetProperty("height").GetInt32()));
        // The playlist's segments are on disk and play as long as the MP4.
        var segments = MediaProbe.HlsSegments(await File.ReadAllTextAsync(Path.Combine(dir, "hls", "index.m3u8")));
        Assert.NotEmpty(segments);
        Assert.All(segments, s => Assert.True(File.Exists(Path.Combine(dir, "hls", s.File)), s.File));
        Assert.InRange(segments.Sum(s => s.Extinf), MediaProbe.Duration(probe) - 0.1, MediaProbe.Duration(probe) + 0.1);
        Directory.Delete(dir, true);
    }

    [Fact]
    public async Task Generate_EncoderFails_ExitsWith1WithTheToolsMessage()
    {
        // A real failure that is not the user's input: ffmpeg is installed but cannot encode (here: a build without libx264).
        var dir = Directory.CreateTempSubdirectory("vl-cli-").FullName;
        var ffmpeg = Path.Combine(dir, "ffmpeg");
        await File.WriteAllTextAsync(ffmpeg, "#!/bin/sh\necho \"Unknown encoder 'libx264'\" >&2\nexit 1\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(ffmpeg, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        try
        {
            var (code, _, err) = await RunAsync(["generate", "--topic", "Octopuses", "--duration", "5", "--preview", "--json", "--out", Path.Combine(dir, "out")],
                new() { ["VIRALOOP_FFMPEG"] = ffmpeg });
            Assert.Equal(1, code);
            Assert.Contains("Generation failed", err);
            Assert.Contains("Unknown encoder 'libx264'", err);
            Assert.DoesNotContain("   at ", err);
            Assert.False(File.Exists(Path.Combine(dir, "out", "video.mp4")), "no video is left behind by a failed run");
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public async Task Generate_ScriptModelUnreachable_ExitsWith1AndLeavesNoVideo()
    {
        // A generation failure that is not the user's input: --llm-url with a key set, but nothing answers at that address.
        var dir = Directory.CreateTempSubdirectory("vl-cli-").FullName;
        var port = FreeLoopbackPort();
        try
        {
            var (code, output, err) = await RunAsync(["generate", "--topic", "Octopuses", "--duration", "5", "--preview", "--json",
                "--llm-url", $"http://127.0.0.1:{port}/v1", "--out", Path.Combine(dir, "out")],
                new() { ["VIRALOOP_LLM_API_KEY"] = "sk-test" });
            Assert.True(code == 1, $"exit code {code}; stderr: {err}");
            Assert.False(string.IsNullOrWhiteSpace(err), "a failure says what failed");
            Assert.DoesNotContain("   at ", err);
            Assert.DoesNotContain("video.mp4", output);
            Assert.False(File.Exists(Path.Combine(dir, "out", "video.mp4")), "no video is left behind by a failed run");
        }
        finally { Directory.Delete(dir, true); }
    }

    private static int FreeLoopbackPort()
    {
        var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        int port = ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    [Fact]
    public async Task Generate_TextFile_KeepsEverySentenceInTheScenesAndCaptions()
    {
        var dir = Directory.CreateTempSubdirectory("vl-cli-").FullName;
        string[] sentences = ["Octopuses have three hearts.", "Their blood is blue.", "Each arm can taste what it touches."];
        var textFile = Path.Combine(dir, "facts.txt");
        await File.WriteAllTextAsync(textFile, $"- {sentences[0]}\n- {sentences[1]}\n\n{sentences[2]}\n");
        try
        {
            var (code, _, err) = await RunAsync(["generate", "--topic", "Octopus facts", "--text", textFile, "--duration", "12", "--preview", "--json", "--seed", "2",
                "--out", Path.Combine(dir, "out")]);
            Assert.True(code == 0, err);
            using var m = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(dir, "out", "manifest.json")));
            var scenes = m.RootElement.GetProperty("scenes").EnumerateArray().ToList();
            var narration = string.Join(" ", scenes.Select(s => s.GetProperty("narration").GetString()));
            var spoken = scenes.SelectMany(s => s.GetProperty("words").EnumerateArray().Select(w => w.GetProperty("word").GetString()!)).ToList();
            var ass = await File.ReadAllTextAsync(Path.Combine(dir, "out", "captions.ass"));
            var captionWords = Pipeline.VideoPipelineTests.CaptionLines(ass).SelectMany(c => MediaProbe.Words(c.Text)).ToHashSet();
            foreach (var sentence in sentences)
            {
                Assert.Contains(sentence, narration);
                // Every word of it is timed by the voice and shown in a caption line.
                Assert.All(MediaProbe.Words(sentence), w => Assert.Contains(w, captionWords));
                Assert.Contains(MediaProbe.Words(sentence), w => spoken.Any(s => MediaProbe.Words(s).Contains(w)));
            }
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public async Task Generate_SceneList_GivesTheScenesAndDurationsAsGiven()
    {
        var dir = Directory.CreateTempSubdirectory("vl-cli-").FullName;
        var scenesFile = Path.Combine(dir, "scenes.json");
        await File.WriteAllTextAsync(scenesFile, """
            [
              {"text": "Coffee wakes you up.", "keywords": ["coffee"], "duration": 2.5},
              {"text": "Beans are seeds.", "keywords": ["beans"], "duration": 3},
              {"text": "Follow for more.", "duration": 2}
            ]
            """);
        try
        {
            var (code, _, err) = await RunAsync(["generate", "--topic", "Coffee", "--scenes", scenesFile, "--preview", "--json", "--out", Path.Combine(dir, "out")]);
            Assert.True(code == 0, err);
            using var m = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(dir, "out", "manifest.json")));
            var scenes = m.RootElement.GetProperty("scenes").EnumerateArray().ToList();
            Assert.Equal(["Coffee wakes you up.", "Beans are seeds.", "Follow for more."], scenes.Select(s => s.GetProperty("narration").GetString()));
            Assert.Equal(["COFFEE", "BEANS"], scenes.Take(2).Select(s => s.GetProperty("keywords")[0].GetString()));
            double[] given = [2.5, 3, 2];
            for (int i = 0; i < 3; i++)
            {
                double d = scenes[i].GetProperty("end").GetDouble() - scenes[i].GetProperty("start").GetDouble();
                Assert.True(Math.Abs(d - given[i]) <= 0.05, $"scene {i + 1} lasts {d:0.00} s, {given[i]} s was given");
            }
            // The video on disk is as long as the scenes together, and its picture cuts where the given durations end.
            var video = Path.Combine(dir, "out", "video.mp4");
            var probe = await MediaProbe.ProbeAsync(video);
            Assert.InRange(MediaProbe.Duration(probe), 7.5 - 0.1, 7.5 + 0.1);
            var detected = await MediaProbe.SceneChangesAsync(video, 0.12);
            foreach (var cut in new[] { 2.5, 5.5 })
                Assert.True(detected.Any(d => Math.Abs(d - cut) <= 0.35), $"no scene change near {cut} s; detected: {string.Join(", ", detected.Select(d => d.ToString("0.00")))}");
            // Each text is a caption, and the body scene's text is burned into the picture (OCR of the caption band mid-scene).
            var captionTexts = Pipeline.VideoPipelineTests.CaptionLines(await File.ReadAllTextAsync(Path.Combine(dir, "out", "captions.ass")))
                .Select(c => c.Text).ToList();
            foreach (var text in new[] { "Coffee wakes you up.", "Beans are seeds.", "Follow for more." })
                Assert.Contains(text, captionTexts);
            var read = MediaProbe.Words(await MediaProbe.OcrAsync(video, "crop=540:180:0:560,scale=iw*2:ih*2", "eng", at: 4.0));
            Assert.True(new[] { "beans", "are", "seeds" }.Count(read.Contains) >= 2, $"OCR at 4.0 s read [{string.Join(' ', read)}], expected \"Beans are seeds.\"");
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public async Task Generate_MalformedSceneList_ExitsWith2NamingTheFile()
    {
        var dir = Directory.CreateTempSubdirectory("vl-cli-").FullName;
        var scenesFile = Path.Combine(dir, "broken-scenes.json");
        await File.WriteAllTextAsync(scenesFile, """[{"text": "Coffee wakes you up.", "duration": 2.5},""");
        try
        {
            var (code, _, err) = await RunAsync(["generate", "--topic", "Coffee", "--scenes", scenesFile, "--preview", "--out", Path.Combine(dir, "out")]);
            Assert.Equal(2, code);
            Assert.Contains(scenesFile, err);
            Assert.Contains("not valid JSON", err);
            Assert.DoesNotContain("   at ", err);
            Assert.False(Directory.Exists(Path.Combine(dir, "out")), "nothing is written for bad input");
        }
        finally { Directory.Delete(dir, true); }
    }
}
