using System.Globalization;
using ViraLoop.Media.Assembly;
using ViraLoop.Media.Music;
using ViraLoop.Media.Pipeline.Steps;
using ViraLoop.Media.Visuals;

namespace ViraLoop.Media.Tests.Pipeline.Steps;

/// <summary>
/// Issue 15: the assembly resumes from its checkpoints. The picture is encoded in chunks of whole frames, each kept in the
/// work directory under a name that hashes its inputs; a second run reuses them, a missing one is encoded again alone,
/// and a cancelled run resumes where it stopped, with the same frames as a run that was never interrupted.
/// </summary>
public sealed class AssemblyCheckpointTests
{
    private const double SceneSeconds = 1.5;
    private const int Frames = 135;       // 3 scenes × 1.5 s at 30 fps
    private const int ChunkFrames = 45;   // 3 chunks of 1.5 s; the chunk boundaries fall on 1.5 s and 3.0 s

    /// <summary>Three scenes and captions timed so that each chunk shows its own words, one starting inside the last chunk.</summary>
    private static AssemblySpec Spec(StepTestMedia media, string name, string work, string? captions = null, string? clipForScene1 = null)
    {
        var scenes = StepTestMedia.Timeline(SceneSeconds, VisualStyle.Gradient, VisualStyle.Geometric, VisualStyle.Particles);
        var voices = scenes.Select(s => media.Tone(s.Script.Index, 1.0)).ToList();
        var step = new SceneVisualStep();
        var visuals = scenes.Select((s, i) => step.Source(new SceneVisualSpec(i, s, Palette.Named["sunset"], 3, RenderSettings.Preview,
            i == 1 ? clipForScene1 : null))).ToList();
        return new AssemblySpec(scenes, voices, visuals, MusicSpec.ForMood("calm", 3), 3, captions ?? Captions(("ALPHA", 0.2, 1.3), ("BRAVO", 1.7, 2.8), ("CHARLIE", 3.5, 4.5)),
            RenderSettings.Preview, media.PathOf($"{name}/video.mp4"), media.PathOf(work));
    }

    private static string Captions(params (string Text, double From, double To)[] events)
    {
        static string T(double s) => TimeSpan.FromSeconds(s).ToString(@"h\:mm\:ss\.ff", CultureInfo.InvariantCulture);
        return $"""
            [Script Info]
            ScriptType: v4.00+
            PlayResX: 540
            PlayResY: 960
            WrapStyle: 2

            [V4+ Styles]
            Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding
            Style: Default,DejaVu Sans,72,&H00FFFFFF,&H00FFFFFF,&H00000000,&H00000000,1,0,0,0,100,100,0,0,3,6,0,5,20,20,20,1

            [Events]
            Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
            {string.Join("\n", events.Select(e => $"Dialogue: 0,{T(e.From)},{T(e.To)},Default,,0,0,0,,{e.Text}"))}

            """;
    }

    private static AssemblyStep Chunked => new() { ChunkFrames = ChunkFrames };

    private static string[] ChunkFiles(string work) =>
        Directory.GetFiles(work, $"{AssemblyCheckpoints.PicturePrefix}*.mp4").Where(f => !f.Contains(AssemblyCheckpoints.PartMarker, StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public async Task RunAsync_Chunked_ExactFramesAndAudio_SecondRunReusesEverything_AMissingChunkAloneIsEncodedAgain()
    {
        using var media = new StepTestMedia();
        var spec = Spec(media, "a", "work");
        var fractions = new List<double>();
        var first = await Chunked.RunAsync(spec, new SyncProgress(fractions.Add));

        Assert.Equal((3, 0, false, Frames), (first.ChunksEncoded, first.ChunksReused, first.SoundtrackReused, first.FrameCount));
        Assert.Equal(fractions.Order(), fractions);
        Assert.Equal(1.0, fractions[^1]);
        var chunks = ChunkFiles(spec.WorkDirectory);
        Assert.Equal(3, chunks.Length);
        Assert.Empty(Directory.GetFiles(spec.WorkDirectory, $"*{AssemblyCheckpoints.PartMarker}*"));

        // Exactly round(4.5 s × 30) frames at 30 fps, keyframes where the chunks start, an AAC stream, picture and sound within a frame.
        var (frames, rate, videoSeconds, audioSeconds) = await CountAsync(first.VideoPath);
        Assert.Equal(Frames, frames);
        Assert.Equal("30/1", rate);
        Assert.InRange(videoSeconds, 4.5 - 1 / 60.0, 4.5 + 1 / 60.0);
        Assert.InRange(audioSeconds, videoSeconds - 1 / 30.0, videoSeconds + 1 / 30.0);
        Assert.Subset((await KeyframesAsync(first.VideoPath, Frames)).ToHashSet(), new HashSet<int> { 0, 45, 90 });
        var picture = await FrameMd5Async(first.VideoPath);
        Assert.Equal(Frames, picture.Count);

        // The same spec in the same work directory: nothing is encoded again, and the picture is the same, frame for frame.
        var chunkBytes = chunks.Select(File.ReadAllBytes).ToList();
        var second = await Chunked.RunAsync(spec with { OutputPath = media.PathOf("b/video.mp4") });
        Assert.Equal((0, 3, true), (second.ChunksEncoded, second.ChunksReused, second.SoundtrackReused));
        Assert.Equal(first.Loudness, second.Loudness);
        Assert.Equal(picture, await FrameMd5Async(second.VideoPath));
        Assert.Equal(await File.ReadAllBytesAsync(first.VideoPath), await File.ReadAllBytesAsync(second.VideoPath));

        // One chunk lost: that one alone is encoded again, to the same bytes.
        File.Delete(chunks[1]);
        var third = await Chunked.RunAsync(spec with { OutputPath = media.PathOf("c/video.mp4") });
        Assert.Equal((1, 2, true), (third.ChunksEncoded, third.ChunksReused, third.SoundtrackReused));
        Assert.Equal(chunks, ChunkFiles(spec.WorkDirectory));
        Assert.Equal(chunkBytes[1], await File.ReadAllBytesAsync(chunks[1]));
        Assert.Equal(picture, await FrameMd5Async(third.VideoPath));
    }

    [Fact]
    public async Task RunAsync_CancelledAfterTheFirstChunk_ResumesWithTheRest_SameFramesAsAnUninterruptedRun()
    {
        using var media = new StepTestMedia();
        var spec = Spec(media, "resumed", "work");
        using var cts = new CancellationTokenSource();
        var seen = new List<double>();
        // Cancel as soon as the first chunk is in place (the step reports progress right after publishing a chunk).
        var progress = new SyncProgress(f =>
        {
            seen.Add(f);
            if (ChunkFiles(spec.WorkDirectory).Length > 0) cts.Cancel();
        });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Chunked.RunAsync(spec, progress, cts.Token));
        Assert.False(File.Exists(spec.OutputPath));
        Assert.Single(ChunkFiles(spec.WorkDirectory));
        Assert.Empty(Directory.GetFiles(spec.WorkDirectory, $"*{AssemblyCheckpoints.PartMarker}*"));
        Assert.Equal(seen.Order(), seen);
        Assert.InRange(seen[^1], 0.3, 0.34); // one chunk of three

        var fractions = new List<double>();
        var resumed = await Chunked.RunAsync(spec, new SyncProgress(fractions.Add));
        Assert.Equal((2, 1), (resumed.ChunksEncoded, resumed.ChunksReused));
        // The resumed run starts from the reused chunk's share and only goes up.
        Assert.InRange(fractions[0], 0.3, 0.34);
        Assert.Equal(fractions.Order(), fractions);
        Assert.Equal(1.0, fractions[^1]);

        var uninterrupted = await Chunked.RunAsync(Spec(media, "uninterrupted", "work-2"));
        Assert.Equal((3, 0), (uninterrupted.ChunksEncoded, uninterrupted.ChunksReused));
        var expected = await FrameMd5Async(uninterrupted.VideoPath);
        Assert.Equal(Frames, expected.Count);
        Assert.Equal(expected, await FrameMd5Async(resumed.VideoPath));
        Assert.Equal((await CountAsync(uninterrupted.VideoPath)).AudioSeconds, (await CountAsync(resumed.VideoPath)).AudioSeconds);
    }

    [Fact]
    public async Task RunAsync_CaptionsInALateChunk_AppearAtTheirAbsoluteTimes_AsInOneWholeEncode_AndAChangedSpecReusesNoChunk()
    {
        using var media = new StepTestMedia();
        var spec = Spec(media, "chunked", "work");
        var chunked = await Chunked.RunAsync(spec);
        var whole = await new AssemblyStep { ChunkFrames = 10_000 }.RunAsync(Spec(media, "whole", "work-whole"));
        Assert.Equal((3, 1), (chunked.ChunksEncoded, whole.ChunksEncoded));

        // CHARLIE starts at 3.5 s, half a second into the last chunk (3.0–4.5 s): not yet at 3.4 s, there at 3.6 s and 4.2 s.
        Assert.Contains("charlie", MediaProbe.Words(await MediaProbe.OcrAsync(chunked.VideoPath, "crop=540:240:0:360", at: 3.9)));
        Assert.DoesNotContain("charlie", MediaProbe.Words(await MediaProbe.OcrAsync(chunked.VideoPath, "crop=540:240:0:360", at: 3.4)));
        Assert.Contains("bravo", MediaProbe.Words(await MediaProbe.OcrAsync(chunked.VideoPath, "crop=540:240:0:360", at: 2.2)));
        // Frame by frame around the caption's start, the chunked picture matches the whole encode (only encoder noise apart),
        // while with and without the caption the band differs a lot.
        foreach (var at in new[] { 3.4, 3.6, 4.2, 1.55 })
        {
            var a = await MediaProbe.GrayFrameAsync(chunked.VideoPath, at, 270, 480);
            var b = await MediaProbe.GrayFrameAsync(whole.VideoPath, at, 270, 480);
            double d = MediaProbe.MeanDiff(a.Pixels, b.Pixels, 270, 180, 300);
            Assert.True(d < 3, $"at {at} s the chunked picture's caption band differs from the whole encode's by {d:0.0}");
        }
        var before = await MediaProbe.GrayFrameAsync(chunked.VideoPath, 3.4, 270, 480);
        var after = await MediaProbe.GrayFrameAsync(chunked.VideoPath, 3.6, 270, 480);
        Assert.True(MediaProbe.MeanDiff(before.Pixels, after.Pixels, 270, 180, 300) > 10, "the caption did not appear between 3.4 s and 3.6 s");

        // Other captions in the same work directory: every chunk is encoded again (the old ones are gone), the soundtrack is reused.
        var oldChunks = ChunkFiles(spec.WorkDirectory);
        var changed = await Chunked.RunAsync(spec with { CaptionsAss = Captions(("DELTA", 3.5, 4.5)) });
        Assert.Equal((3, 0, true), (changed.ChunksEncoded, changed.ChunksReused, changed.SoundtrackReused));
        Assert.Empty(oldChunks.Intersect(ChunkFiles(spec.WorkDirectory)));
        Assert.Equal(3, ChunkFiles(spec.WorkDirectory).Length);
        Assert.Contains("delta", MediaProbe.Words(await MediaProbe.OcrAsync(changed.VideoPath, "crop=540:240:0:360", at: 3.9)));
    }

    [Fact]
    public async Task RunAsync_ASceneFromAClip_ChunksAroundItEncodedAgain_ShowTheSameFrames()
    {
        using var media = new StepTestMedia();
        // Scene 1 (1.5–3.0 s, chunk 1) is a clip; chunk 0 ends with the push transition into it (its first frame).
        var spec = Spec(media, "clip", "work", clipForScene1: await media.TestPatternClipAsync(1.0));
        var first = await Chunked.RunAsync(spec);
        var expected = await FrameMd5Async(first.VideoPath);
        var chunks = ChunkFiles(spec.WorkDirectory);
        var bytes = chunks.Select(File.ReadAllBytes).ToList();
        foreach (int lost in new[] { 1, 0 })
        {
            File.Delete(chunks[lost]);
            var again = await Chunked.RunAsync(spec with { OutputPath = media.PathOf($"clip-{lost}/video.mp4") });
            Assert.Equal((1, 2), (again.ChunksEncoded, again.ChunksReused));
            Assert.Equal(bytes[lost], await File.ReadAllBytesAsync(chunks[lost]));
            Assert.Equal(expected, await FrameMd5Async(again.VideoPath));
        }
        // The decoded clip frames are scratch: none is left in the work directory.
        Assert.Empty(Directory.GetFiles(spec.WorkDirectory, "clip-*"));
    }

    /// <summary>Decoded frames (ffprobe -count_frames), the video's frame rate and duration, and the audio stream's duration.</summary>
    private static async Task<(int Frames, string Rate, double VideoSeconds, double AudioSeconds)> CountAsync(string file)
    {
        var r = await Tools.RunAsync(Tools.Ffprobe, ["-v", "error", "-count_frames", "-show_entries", "stream=codec_type,nb_read_frames,r_frame_rate,duration",
            "-of", "json", file]);
        Assert.True(r.ExitCode == 0, r.StdErr);
        var streams = System.Text.Json.JsonDocument.Parse(r.StdOut).RootElement.GetProperty("streams").EnumerateArray().ToList();
        var video = Assert.Single(streams, s => s.GetProperty("codec_type").GetString() == "video");
        var audio = Assert.Single(streams, s => s.GetProperty("codec_type").GetString() == "audio");
        static double Seconds(System.Text.Json.JsonElement s) => double.Parse(s.GetProperty("duration").GetString()!, CultureInfo.InvariantCulture);
        return (int.Parse(video.GetProperty("nb_read_frames").GetString()!, CultureInfo.InvariantCulture), video.GetProperty("r_frame_rate").GetString()!,
            Seconds(video), Seconds(audio));
    }

    /// <summary>The indices of the key frames of the video stream.</summary>
    private static async Task<List<int>> KeyframesAsync(string file, int frames)
    {
        var r = await Tools.RunAsync(Tools.Ffprobe, ["-v", "error", "-select_streams", "v:0", "-show_entries", "frame=key_frame", "-of", "csv=p=0", file]);
        Assert.True(r.ExitCode == 0, r.StdErr);
        // One line a frame ("1," or "0", side data may follow), blank lines between some.
        var flags = r.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(l => l.Split(',')[0]).ToList();
        Assert.Equal(frames, flags.Count);
        // Keyframes every 2 s (no scene-cut keyframes since -sc_threshold 0); the chunk starts must be among them.
        return flags.Select((f, i) => (f, i)).Where(x => x.f == "1").Select(x => x.i).ToList();
    }

    /// <summary>One checksum per decoded frame of the video stream (ffmpeg -f framemd5), without the header.</summary>
    private static async Task<List<string>> FrameMd5Async(string file)
    {
        var r = await Tools.RunAsync(Tools.Ffmpeg, ["-v", "error", "-i", file, "-map", "0:v:0", "-f", "framemd5", "-"]);
        Assert.True(r.ExitCode == 0, r.StdErr);
        return r.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(l => !l.StartsWith('#')).ToList();
    }

    private sealed class SyncProgress(Action<double> report) : IProgress<double>
    {
        private readonly Lock _gate = new();
        public void Report(double value) { lock (_gate) report(value); }
    }
}
