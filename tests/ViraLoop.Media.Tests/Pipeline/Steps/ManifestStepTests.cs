using System.Text.Json;
using ViraLoop.Media.Assembly;
using ViraLoop.Media.Music;
using ViraLoop.Media.Pipeline.Steps;
using ViraLoop.Media.Visuals;

namespace ViraLoop.Media.Tests.Pipeline.Steps;

public sealed class ManifestStepTests
{
    private static ManifestSpec Spec(StepTestMedia media, string? clip = null)
    {
        var scenes = StepTestMedia.Timeline(2, VisualStyle.Kinetic, VisualStyle.Zoom);
        var visuals = scenes.Select((s, i) => new SceneVisualStep().Source(new SceneVisualSpec(i, s, Palette.Named["forest"], 9, RenderSettings.Preview,
            i == 1 ? clip : null))).ToList();
        File.WriteAllText(media.PathOf("video.mp4"), new string('x', 1234));
        var script = new Script("A title", "en", "question", scenes.Select(s => s.Script).ToList(), "fixed");
        return new ManifestSpec(new VideoRequest { Topic = "Trees", Seed = 9, Preview = true }, script, scenes, visuals, MusicSpec.ForMood("calm", 9),
            RenderSettings.Preview, 4, "espeak-ng", ["video.mp4"], new Dictionary<string, double> { ["script"] = 0.1 }, ["a note"], media.Dir,
            new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));
    }

    [Fact]
    public async Task RunAsync_SameSpec_SameBytes_RecordsScenesSeedsPalettesAndFileSizes()
    {
        using var media = new StepTestMedia();
        var spec = Spec(media);
        var a = await File.ReadAllTextAsync((await new ManifestStep().RunAsync(spec)).ManifestPath);
        var b = await File.ReadAllTextAsync((await new ManifestStep().RunAsync(spec)).ManifestPath);
        Assert.Equal(a, b);
        var m = JsonDocument.Parse(a).RootElement;
        Assert.Equal("2026-11-23T12:00:00+00:00", m.GetProperty("createdAt").GetString());
        var scenes = m.GetProperty("scenes").EnumerateArray().ToList();
        Assert.Equal(["kinetic", "zoom"], scenes.Select(s => s.GetProperty("style").GetString()));
        Assert.Equal([9, 9 + 7919], scenes.Select(s => s.GetProperty("seed").GetInt32()));
        Assert.Equal(Palette.Named["forest"].Colors.Select(c => c.Hex), scenes[0].GetProperty("palette").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(2.0, scenes[1].GetProperty("start").GetDouble());
        Assert.Equal(2.1, scenes[1].GetProperty("voiceStart").GetDouble(), 3);
        Assert.All(scenes, s => Assert.False(s.TryGetProperty("clip", out _)));
        Assert.Equal(1234, m.GetProperty("files")[0].GetProperty("bytes").GetInt64());
        Assert.Equal("espeak-ng", m.GetProperty("voice").GetProperty("engine").GetString());
        Assert.Equal("a note", m.GetProperty("notes")[0].GetString());
    }

    [Fact]
    public async Task RunAsync_SceneFromAClip_NamesTheClip()
    {
        using var media = new StepTestMedia();
        var m = JsonDocument.Parse(await File.ReadAllTextAsync((await new ManifestStep().RunAsync(Spec(media, "/blobs/scene-1.mp4"))).ManifestPath)).RootElement;
        var scenes = m.GetProperty("scenes").EnumerateArray().ToList();
        Assert.False(scenes[0].TryGetProperty("clip", out _));
        Assert.Equal("scene-1.mp4", scenes[1].GetProperty("clip").GetString());
    }
}
