using System.Text.Json;

namespace ViraLoop.Media.Tests.Pipeline;

/// <summary>End-to-end: a topic in, an MP4 out, inspected with ffprobe, ffmpeg's scanners and raw frames.</summary>
public sealed class VideoPipelineTests(RenderedVideos videos) : IClassFixture<RenderedVideos>
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
        var captions = await File.ReadAllTextAsync(Path.Combine(Path.GetDirectoryName(videos.Polish.VideoPath)!, "captions.ass"));
        Assert.Contains(captions, c => "ąćęłńóśźżĄĆĘŁŃÓŚŹŻ".Contains(c));
        // The caption font really has every Polish letter (fontconfig reads the font's own character map).
        var fc = await Tools.RunAsync("fc-list", [":charset=0105 0107 0119 0142 0144 00f3 015b 017a 017c 0141 017b", "file"]);
        Assert.Contains(Tools.FontPath, fc.StdOut);
        var (integrated, _) = await MediaProbe.LoudnessAsync(videos.Polish.VideoPath);
        Assert.True(integrated > -20, $"the Polish video is too quiet: {integrated} LUFS");
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

    [Fact]
    public async Task Thumbnail_AndManifest_AreWrittenBesideTheVideo()
    {
        var thumb = await MediaProbe.ProbeAsync(videos.English.ThumbnailPath);
        var img = MediaProbe.Stream(thumb, "video");
        Assert.Equal("mjpeg", img.GetProperty("codec_name").GetString());
        Assert.Equal(540, img.GetProperty("width").GetInt32());
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
        var dir = Path.GetDirectoryName(videos.English.VideoPath)!;
        var playlist = Path.Combine(dir, "hls", "index.m3u8");
        var text = await File.ReadAllTextAsync(playlist);
        Assert.Contains("#EXT-X-PLAYLIST-TYPE:VOD", text);
        Assert.Contains("#EXT-X-MAP:URI=\"init.mp4\"", text);
        Assert.Contains("#EXT-X-ENDLIST", text);
        var probe = await MediaProbe.ProbeAsync(playlist);
        Assert.Equal("h264", MediaProbe.Stream(probe, "video").GetProperty("codec_name").GetString());
        Assert.Equal("aac", MediaProbe.Stream(probe, "audio").GetProperty("codec_name").GetString());
        Assert.InRange(MediaProbe.Duration(probe), 8 * 0.9, 8 * 1.1);
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
