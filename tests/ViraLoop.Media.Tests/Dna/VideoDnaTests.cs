using System.Diagnostics;
using ViraLoop.Media.Dna;
using ViraLoop.Media.Pipeline;
using Xunit.Abstractions;

namespace ViraLoop.Media.Tests.Dna;

/// <summary>Four 5 s previews for the DNA tests, and a re-encode of the first (CRF 28, downscaled to 360×640).</summary>
public sealed class DnaVideos : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("vl-dna-tests-").FullName;

    public VideoResult Octopus { get; private set; } = null!;
    /// <summary><see cref="Octopus"/>'s request with another seed.</summary>
    public VideoResult OctopusReseeded { get; private set; } = null!;
    public VideoResult Sea { get; private set; } = null!;
    public VideoResult Coffee { get; private set; } = null!;
    public string OctopusReencoded { get; private set; } = null!;

    public static VideoRequest OctopusRequest => new() { Topic = "Why octopuses are smart", DurationSeconds = 5, Preview = true, Seed = 7, Palette = "neon" };

    public async Task InitializeAsync()
    {
        var pipeline = VideoPipeline.CreateOffline();
        var renders = new List<Func<Task>>
        {
            async () => Octopus = await pipeline.RunAsync(OctopusRequest, Path.Combine(_root, "octopus")),
            async () => OctopusReseeded = await pipeline.RunAsync(OctopusRequest with { Seed = 8 }, Path.Combine(_root, "octopus-8")),
            async () => Sea = await pipeline.RunAsync(new VideoRequest { Topic = "Deep sea light", DurationSeconds = 5, Preview = true, Seed = 11, Palette = "ocean", Style = "gradient" }, Path.Combine(_root, "sea")),
            async () => Coffee = await pipeline.RunAsync(new VideoRequest { Topic = "Coffee in the morning", DurationSeconds = 5, Preview = true, Seed = 5, Palette = "sunset", Style = "geometric" }, Path.Combine(_root, "coffee")),
        };
        using var gate = new SemaphoreSlim(2);
        await Task.WhenAll(renders.Select(async render =>
        {
            await gate.WaitAsync();
            try { await render(); }
            finally { gate.Release(); }
        }));
        OctopusReencoded = Path.Combine(_root, "octopus-crf28.mp4");
        var r = await Tools.RunAsync(Tools.Ffmpeg, ["-v", "error", "-y", "-i", Octopus.VideoPath, "-vf", "scale=360:640", "-c:v", "libx264", "-preset", "veryfast",
            "-crf", "28", "-c:a", "aac", "-b:a", "96k", OctopusReencoded]);
        if (r.ExitCode != 0) throw new InvalidOperationException(r.StdErr);
    }

    public Task DisposeAsync()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }
}

public sealed class VideoDnaTests(DnaVideos videos, ITestOutputHelper output) : IClassFixture<DnaVideos>
{
    [Fact]
    public async Task A_re_encode_is_its_own_nearest_neighbour_above_the_threshold_and_other_topics_are_below_it()
    {
        var octopus = await VideoDna.ComputeAsync(videos.Octopus.VideoPath, videos.Octopus.ManifestPath);
        var reseeded = await VideoDna.ComputeAsync(videos.OctopusReseeded.VideoPath, videos.OctopusReseeded.ManifestPath);
        var sea = await VideoDna.ComputeAsync(videos.Sea.VideoPath, videos.Sea.ManifestPath);
        var coffee = await VideoDna.ComputeAsync(videos.Coffee.VideoPath, videos.Coffee.ManifestPath);
        // The re-encode has no manifest beside it: its narration comes from the original's (as a publisher would give it).
        var reencoded = await VideoDna.ComputeAsync(videos.OctopusReencoded, videos.Octopus.ManifestPath);

        var named = new (string Name, float[] V)[] { ("octopus", octopus), ("octopus-seed8", reseeded), ("sea", sea), ("coffee", coffee), ("octopus-crf28", reencoded) };
        for (int i = 0; i < named.Length; i++)
            for (int j = i + 1; j < named.Length; j++)
            {
                var b = VideoDna.BlockSimilarities(named[i].V, named[j].V);
                output.WriteLine($"{named[i].Name} ~ {named[j].Name}: {VideoDna.Similarity(named[i].V, named[j].V):F3} (colour {b.Colour:F3}, motion {b.Motion:F3}, audio {b.Audio:F3}, script {b.Script:F3})");
            }

        using var index = new DnaIndex();
        index.Add("octopus", octopus);
        index.Add("octopus-seed8", reseeded);
        index.Add("sea", sea);
        index.Add("coffee", coffee);
        var top = index.Search(reencoded, 4);
        Assert.Equal("octopus", top[0].Id);
        Assert.Equal("octopus", index.NearDuplicate(reencoded)?.Id);
        Assert.True(top[0].Similarity >= DnaIndex.DefaultNearDuplicateThreshold, $"re-encode {top[0].Similarity:F3}");

        float t = DnaIndex.DefaultNearDuplicateThreshold;
        Assert.True(VideoDna.Similarity(octopus, sea) < t);
        Assert.True(VideoDna.Similarity(octopus, coffee) < t);
        Assert.True(VideoDna.Similarity(sea, coffee) < t);
        Assert.Null(index.NearDuplicate(sea, excludeId: "sea"));
        Assert.Null(index.NearDuplicate(coffee, excludeId: "coffee"));
    }

    [Fact]
    public async Task The_vector_is_deterministic_unit_length_and_of_the_documented_size()
    {
        var sw = Stopwatch.StartNew();
        var a = await VideoDna.ComputeAsync(videos.Sea.VideoPath);
        output.WriteLine($"DNA of a 5 s preview: {sw.Elapsed.TotalMilliseconds:F0} ms");
        var b = await VideoDna.ComputeAsync(videos.Sea.VideoPath, videos.Sea.ManifestPath);
        Assert.Equal(VideoDna.Dimension, a.Length);
        Assert.Equal(a, b); // the manifest beside the video is read when none is named
        Assert.Equal(1f, MathF.Sqrt(DnaMath.Dot(a, a)), 4);
        foreach (var (offset, length) in new[] { (VideoDna.ColourOffset, FrameFeatures.ColourLength), (VideoDna.MotionOffset, FrameFeatures.MotionLength), (VideoDna.AudioOffset, AudioFeatures.Length), (VideoDna.ScriptOffset, ScriptFeatures.Length) })
            Assert.Contains(a.AsSpan(offset, length).ToArray(), x => x != 0);
    }

    [Fact]
    public async Task The_narration_comes_from_the_manifest_scenes_and_text_can_be_given_instead()
    {
        var script = VideoDna.ReadScript(videos.Coffee.VideoPath, videos.Coffee.ManifestPath)!;
        Assert.Contains(videos.Coffee.Script.Scenes[0].Narration, script);
        var fromManifest = await VideoDna.ComputeAsync(videos.Coffee.VideoPath, videos.Coffee.ManifestPath);
        var fromText = await VideoDna.ComputeAsync(videos.Coffee.VideoPath, script);
        Assert.Equal(fromManifest, fromText);
        var other = await VideoDna.ComputeAsync(videos.Coffee.VideoPath, "A completely different narration about trains and their timetables.");
        var blocks = VideoDna.BlockSimilarities(fromManifest, other);
        Assert.Equal(1f, blocks.Colour, 5);
        Assert.True(blocks.Script < 0.5f, $"script {blocks.Script:F3}");
    }

    [Fact]
    public void Hashed_script_features_match_for_the_same_words_and_differ_for_others()
    {
        Span<float> a = stackalloc float[ScriptFeatures.Length], b = stackalloc float[ScriptFeatures.Length], c = stackalloc float[ScriptFeatures.Length];
        ScriptFeatures.Compute("Octopuses are smart. They open jars!", a);
        ScriptFeatures.Compute("octopuses ARE smart — they open jars", b);
        ScriptFeatures.Compute("Coffee in the morning wakes the brain up.", c);
        Assert.Equal(1f, DnaMath.Cosine(a, b), 5);
        Assert.True(DnaMath.Cosine(a, c) < 0.4f);
    }

    [Fact]
    public void Tempo_of_a_click_track_is_found()
    {
        // 2 clicks a second (120 BPM) for 10 s at 16 kHz.
        var pcm = new short[AudioFeatures.SampleRate * 10];
        for (int beat = 0; beat < 20; beat++)
            for (int i = 0; i < 400; i++) pcm[beat * AudioFeatures.SampleRate / 2 + i] = (short)(i % 2 == 0 ? 12000 : -12000);
        var (bpm, confidence) = AudioFeatures.Tempo(pcm);
        Assert.InRange(bpm, 115, 125);
        Assert.True(confidence > 0.3, $"confidence {confidence:F2}");
    }
}
