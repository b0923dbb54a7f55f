using System.Text.Json;
using System.Text.RegularExpressions;

namespace ViraLoop.Media.Tests.Pipeline;

/// <summary>End-to-end: a topic in, an MP4 out, inspected with ffprobe, ffmpeg's scanners, raw frames and OCR.</summary>
[Collection(RenderedVideosCollection.Name)]
public sealed class VideoPipelineTests(RenderedVideos videos)
{
    [Fact]
    public async Task Video_HasH264AndAac_AtPreviewSize_AndRequestedDuration()
    {
        var probe = await MediaProbe.ProbeAsync(videos.English.VideoPath);
        var v = MediaProbe.Stream(probe, "video");
        var a = MediaProbe.Stream(probe, "audio");
        Assert.Equal("h264", v.GetProperty("codec_name").GetString());
        Assert.Equal("High", v.GetProperty("profile").GetString());
        Assert.Equal("yuv420p", v.GetProperty("pix_fmt").GetString());
        Assert.Equal("smpte170m", v.GetProperty("color_space").GetString()); // tagged with the matrix the frames were converted with
        Assert.Equal("tv", v.GetProperty("color_range").GetString());
        Assert.Equal(540, v.GetProperty("width").GetInt32());
        Assert.Equal(960, v.GetProperty("height").GetInt32());
        Assert.Equal("30/1", v.GetProperty("r_frame_rate").GetString());
        Assert.Equal("aac", a.GetProperty("codec_name").GetString());
        Assert.Equal("48000", a.GetProperty("sample_rate").GetString());
        Assert.Equal(2, a.GetProperty("channels").GetInt32());
        Assert.InRange(MediaProbe.Duration(probe), 8 * 0.9, 8 * 1.1);
    }

    [Fact]
    public void Video_IsFaststart_MoovBeforeMdat()
    {
        var boxes = MediaProbe.TopLevelBoxes(videos.English.VideoPath);
        Assert.Contains("moov", boxes);
        Assert.True(boxes.IndexOf("moov") < boxes.IndexOf("mdat"), string.Join(",", boxes));
    }

    [Fact]
    public async Task Audio_IsNotSilent_AndNearMinus14Lufs()
    {
        var (integrated, peak) = await MediaProbe.LoudnessAsync(videos.English.VideoPath);
        Assert.InRange(integrated, -15.5, -12.5);
        Assert.True(peak <= -0.5, $"peak {peak} dBFS");
    }

    [Fact]
    public async Task SceneChanges_AreDetectedNearThePlannedCuts()
    {
        var manifest = RenderedVideos.Manifest(videos.English);
        var cuts = manifest.GetProperty("scenes").EnumerateArray().Skip(1).Select(s => s.GetProperty("start").GetDouble()).ToList();
        Assert.NotEmpty(cuts);
        var detected = await MediaProbe.SceneChangesAsync(videos.English.VideoPath, 0.12);
        foreach (var cut in cuts)
            Assert.True(detected.Any(d => Math.Abs(d - cut) <= 0.35), $"no scene change near the cut at {cut:0.00} s; detected: {string.Join(", ", detected.Select(d => d.ToString("0.00")))}");
    }

    [Fact]
    public async Task Captions_AreBurnedIntoTheCaptionBand_AndNowhereElse()
    {
        var manifest = RenderedVideos.Manifest(videos.English);
        var body = manifest.GetProperty("scenes").EnumerateArray().First(s => s.GetProperty("kind").GetString() == "body");
        var word = body.GetProperty("words").EnumerateArray().First();
        double at = (word.GetProperty("start").GetDouble() + word.GetProperty("end").GetDouble()) / 2;
        var with = await MediaProbe.GrayFrameAsync(videos.English.VideoPath, at, 540, 960);
        var without = await MediaProbe.GrayFrameAsync(videos.EnglishWithoutCaptions.VideoPath, at, 540, 960);
        // Caption band of the 9:16 frame (lower safe area) vs the bottom UI zone, which must stay clean.
        double band = MediaProbe.MeanDiff(with.Pixels, without.Pixels, 540, (int)(960 * 0.60), (int)(960 * 0.76));
        double bottom = MediaProbe.MeanDiff(with.Pixels, without.Pixels, 540, (int)(960 * 0.84), 960);
        double top = MediaProbe.MeanDiff(with.Pixels, without.Pixels, 540, 0, (int)(960 * 0.12));
        double right = MediaProbe.MeanDiff(Columns(with.Pixels, 540, 960, (int)(540 * 0.88)), Columns(without.Pixels, 540, 960, (int)(540 * 0.88)), 540 - (int)(540 * 0.88), 0, 960);
        Assert.True(band > 6, $"caption band differs by only {band:0.00}");
        Assert.True(bottom < 1.5, $"the bottom UI zone changed by {bottom:0.00}: text is outside the safe area");
        Assert.True(top < 1.5, $"the top UI zone changed by {top:0.00}");
        Assert.True(right < 1.5, $"the right-hand button column changed by {right:0.00}");
    }

    private static byte[] Columns(byte[] frame, int width, int height, int fromX)
    {
        int w = width - fromX;
        var r = new byte[w * height];
        for (int y = 0; y < height; y++) Array.Copy(frame, y * width + fromX, r, y * w, w);
        return r;
    }

    [Fact]
    public async Task Polish_Topic_GetsPolishVoice_AndPolishCaptions()
    {
        var manifest = RenderedVideos.Manifest(videos.Polish);
        Assert.Equal("pl", manifest.GetProperty("script").GetProperty("language").GetString());
        var scenes = manifest.GetProperty("scenes").EnumerateArray().ToList();
        Assert.All(scenes, s => Assert.Equal("pl", s.GetProperty("voice").GetString()));

        // The caption lines themselves (not the title in the header) carry the narration's Polish words, diacritics intact.
        var ass = await File.ReadAllTextAsync(Path.Combine(RenderedVideos.Dir(videos.Polish), "captions.ass"));
        var captions = CaptionLines(ass).Where(c => c.Style is "Caption" or "Hook").ToList();
        Assert.NotEmpty(captions);
        var captionWords = captions.SelectMany(c => MediaProbe.Words(c.Text)).ToHashSet();
        var narrationWords = scenes.SelectMany(s => MediaProbe.Words(s.GetProperty("narration").GetString()!)).ToHashSet();
        var polish = narrationWords.Where(HasPolishLetter).ToList();
        Assert.True(polish.Count >= 3, $"the Polish narration has too few words with Polish letters: {string.Join(", ", polish)}");
        foreach (var w in polish) Assert.Contains(w, captionWords);

        // The caption font really has every Polish letter (fontconfig reads the font's own character map).
        var fc = await Tools.RunAsync("fc-list", [":charset=0105 0107 0119 0142 0144 00f3 015b 017a 017c 0141 017b", "file"]);
        Assert.Contains(Tools.FontPath, fc.StdOut);

        // And the burned-in caption reads back as Polish: OCR (tesseract -l pol) of the band the caption is in, mid-line.
        var line = captions.First(c => MediaProbe.Words(c.Text).Count(HasPolishLetter) >= 2 && c.End - c.Start >= 0.3);
        double at = (line.Start + line.End) / 2;
        // Hook and call-to-action captions sit in the middle of the frame, body captions in the lower safe band (preview 540×960).
        string band = line.Style == "Hook" ? "crop=540:240:0:360" : "crop=540:180:0:560";
        var read = MediaProbe.Words(await MediaProbe.OcrAsync(videos.Polish.VideoPath, $"{band},scale=iw*2:ih*2", "pol", at));
        var expected = MediaProbe.Words(line.Text);
        var found = expected.Where(read.Contains).ToList();
        // Tolerance: OCR of a video frame may miss a word; at least half of the line, and at least one word with a Polish letter, exactly.
        Assert.True(found.Count * 2 >= expected.Count && found.Any(HasPolishLetter),
            $"OCR at {at:0.00} s read [{string.Join(' ', read)}], expected [{string.Join(' ', expected)}]");

        var (integrated, _) = await MediaProbe.LoudnessAsync(videos.Polish.VideoPath);
        Assert.True(integrated > -20, $"the Polish video is too quiet: {integrated} LUFS");
    }

    private static bool HasPolishLetter(string word) => word.Any(c => "ąćęłńóśźżĄĆĘŁŃÓŚŹŻ".Contains(c));

    /// <summary>The Dialogue lines of an ASS file: times, style and the text without override tags.</summary>
    internal static List<(double Start, double End, string Style, string Text)> CaptionLines(string ass) =>
        ass.Split('\n').Where(l => l.StartsWith("Dialogue:", StringComparison.Ordinal)).Select(l =>
        {
            var f = l["Dialogue:".Length..].Split(',', 10);
            return (AssTime(f[1]), AssTime(f[2]), f[3].Trim(), Regex.Replace(f[9], @"\{[^}]*\}", "").Trim());
        }).ToList();

    private static double AssTime(string t)
    {
        var p = t.Trim().Split(':');
        return int.Parse(p[0]) * 3600 + int.Parse(p[1]) * 60 + double.Parse(p[2], System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task DifferentStyles_GiveVisiblyDifferentFrames()
    {
        var a = await MediaProbe.GrayFrameAsync(videos.Gradient.VideoPath, 2.5, 270, 480);
        var b = await MediaProbe.GrayFrameAsync(videos.Geometric.VideoPath, 2.5, 270, 480);
        double diff = MediaProbe.MeanDiff(a.Pixels, b.Pixels, 270, 0, 480);
        Assert.True(diff > 12, $"gradient and geometric frames differ by only {diff:0.0}");
        var manifest = RenderedVideos.Manifest(videos.Geometric);
        Assert.All(manifest.GetProperty("scenes").EnumerateArray(), s => Assert.Equal("geometric", s.GetProperty("style").GetString()));
    }

    [Theory]
    [InlineData("en", "eng")]
    [InlineData("pl", "pol")]
    public async Task Thumbnail_ShowsAPicture_AndTheTitle_ReadableByOcr(string which, string ocrLang)
    {
        var video = which == "pl" ? videos.Polish : videos.English;
        var thumb = await MediaProbe.ProbeAsync(video.ThumbnailPath);
        var img = MediaProbe.Stream(thumb, "video");
        Assert.Equal("mjpeg", img.GetProperty("codec_name").GetString());
        Assert.Equal(540, img.GetProperty("width").GetInt32());
        Assert.Equal(960, img.GetProperty("height").GetInt32());

        // Not a flat frame: the luma spreads out and there are many colours (a black or single-colour card fails both).
        var (mean, sd, colours) = await MediaProbe.PictureStatsAsync(video.ThumbnailPath);
        Assert.True(sd > 15, $"the thumbnail is nearly uniform: luma standard deviation {sd:0.0}");
        Assert.True(colours > 100, $"the thumbnail has only {colours} distinct colours (5 bits a channel)");
        Assert.InRange(mean, 20, 235); // neither a black nor a white card

        // The title is on it and readable: tesseract finds most of its words (tolerance: one word in four may be misread).
        var title = RenderedVideos.Manifest(video).GetProperty("script").GetProperty("title").GetString()!;
        var read = MediaProbe.Words(await MediaProbe.OcrAsync(video.ThumbnailPath, "scale=iw*2:ih*2", ocrLang, pageSegmentation: 3));
        var expected = MediaProbe.Words(title);
        int found = expected.Count(read.Contains);
        Assert.True(found >= Math.Ceiling(expected.Count * 0.75), $"OCR read [{string.Join(' ', read)}] on the thumbnail; title is \"{title}\" ({found}/{expected.Count} words)");
    }

    [Fact]
    public void Manifest_IsWrittenBesideTheVideo()
    {
        var m = RenderedVideos.Manifest(videos.English);
        Assert.Contains("ffmpeg version", m.GetProperty("tools").GetProperty("ffmpeg").GetString());
        Assert.Contains("eSpeak", m.GetProperty("tools").GetProperty("espeak").GetString());
        var files = m.GetProperty("files").EnumerateArray().ToDictionary(f => f.GetProperty("name").GetString()!, f => f.GetProperty("bytes").GetInt64());
        Assert.True(files["video.mp4"] > 10_000);
        Assert.Equal(new FileInfo(videos.English.VideoPath).Length, files["video.mp4"]);
        double previousEnd = 0;
        foreach (var s in m.GetProperty("scenes").EnumerateArray())
        {
            Assert.Equal(previousEnd, s.GetProperty("start").GetDouble(), 2);
            previousEnd = s.GetProperty("end").GetDouble();
            foreach (var w in s.GetProperty("words").EnumerateArray())
                Assert.InRange(w.GetProperty("start").GetDouble(), s.GetProperty("start").GetDouble(), s.GetProperty("end").GetDouble());
        }
    }

    [Fact]
    public async Task Hls_PlaylistPlaysTheSameVideo_FromCopiedSegments()
    {
        var dir = Path.Combine(RenderedVideos.Dir(videos.English), "hls");
        var playlist = Path.Combine(dir, "index.m3u8");
        var text = await File.ReadAllTextAsync(playlist);
        Assert.Contains("#EXT-X-PLAYLIST-TYPE:VOD", text);
        Assert.Contains("#EXT-X-MAP:URI=\"init.mp4\"", text);
        Assert.Contains("#EXT-X-ENDLIST", text);
        Assert.Contains("#EXT-X-TARGETDURATION:4", text);

        // The segment list: each #EXTINF duration and the .m4s file it belongs to.
        var segments = MediaProbe.HlsSegments(text);
        Assert.True(segments.Count >= 2, $"an 8 s video in 4 s segments has at least 2 segments:\n{text}");
        Assert.All(segments, s => Assert.EndsWith(".m4s", s.File));

        // fMP4: the init segment holds the codec set-up and no media; each .m4s is a movie fragment.
        var init = MediaProbe.TopLevelBoxes(Path.Combine(dir, "init.mp4"));
        Assert.Equal("ftyp", init[0]);
        Assert.Contains("moov", init);
        Assert.DoesNotContain("mdat", init);
        var initBytes = await File.ReadAllBytesAsync(Path.Combine(dir, "init.mp4"));
        for (int i = 0; i < segments.Count; i++)
        {
            var (extinf, file) = segments[i];
            var boxes = MediaProbe.TopLevelBoxes(Path.Combine(dir, file));
            Assert.Contains("moof", boxes);
            Assert.Contains("mdat", boxes);
            // 4 s segments (the keyframe interval is 2 s, so cuts land on 4 s); the last one holds what is left.
            if (i < segments.Count - 1) Assert.InRange(extinf, 3.9, 4.1);
            else Assert.InRange(extinf, 0.2, 4.1);
            // The segment's own length as ffprobe measures it (init + fragment form a playable file): within 0.1 s of #EXTINF.
            var joined = Path.Combine(Path.GetTempPath(), $"seg-{Guid.NewGuid():N}.mp4");
            await File.WriteAllBytesAsync(joined, [.. initBytes, .. await File.ReadAllBytesAsync(Path.Combine(dir, file))]);
            var packets = await MediaProbe.PacketsAsync(joined, "v:0");
            File.Delete(joined);
            double measured = packets.Max(p => p.Pts + p.Duration) - packets.Min(p => p.Pts);
            Assert.True(Math.Abs(measured - extinf) <= 0.1, $"{file}: #EXTINF {extinf:0.000} s, ffprobe measures {measured:0.000} s");
        }
        var mp4 = await MediaProbe.ProbeAsync(videos.English.VideoPath);
        Assert.InRange(segments.Sum(s => s.Extinf), MediaProbe.Duration(mp4) - 0.1, MediaProbe.Duration(mp4) + 0.1);

        // Copied, not re-encoded: same codec parameters (decoder configuration MD5 included) and bit-identical streams.
        Assert.Equal(await MediaProbe.CodecParametersAsync(videos.English.VideoPath), await MediaProbe.CodecParametersAsync(playlist));
        Assert.Equal(await MediaProbe.StreamMd5Async(videos.English.VideoPath, "0:v:0"), await MediaProbe.StreamMd5Async(playlist, "0:v:0"));
        Assert.Equal(await MediaProbe.StreamMd5Async(videos.English.VideoPath, "0:a:0"), await MediaProbe.StreamMd5Async(playlist, "0:a:0"));
    }

    [Fact]
    public async Task EveryScene_ShowsItsOwnKeywords()
    {
        var captions = await File.ReadAllTextAsync(Path.Combine(Path.GetDirectoryName(videos.English.VideoPath)!, "captions.ass"));
        var m = RenderedVideos.Manifest(videos.English);
        foreach (var s in m.GetProperty("scenes").EnumerateArray().Where(s => s.GetProperty("kind").GetString() != "call-to-action"))
            foreach (var k in s.GetProperty("keywords").EnumerateArray())
                Assert.Contains(k.GetString()!, captions);
    }
}
