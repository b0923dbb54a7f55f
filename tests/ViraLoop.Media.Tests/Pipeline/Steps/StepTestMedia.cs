using System.Globalization;
using ViraLoop.Media.Captions;
using ViraLoop.Media.Pipeline.Steps;
using ViraLoop.Media.Speech;
using ViraLoop.Media.Visuals;

namespace ViraLoop.Media.Tests.Pipeline.Steps;

/// <summary>Small inputs for the step tests: a temporary folder, tone "voices", test-pattern clips and hand-made timelines.</summary>
internal sealed class StepTestMedia : IDisposable
{
    public string Dir { get; } = Directory.CreateTempSubdirectory("vl-steps-").FullName;

    public string PathOf(string name) => Path.Combine(Dir, name);

    /// <summary>A mono 22.05 kHz WAV: a 220 Hz tone of <paramref name="seconds"/>, like a voice file the voice step writes.</summary>
    public SceneVoiceResult Tone(int scene, double seconds)
    {
        const int rate = 22050;
        var samples = new short[(int)(seconds * rate)];
        for (int i = 0; i < samples.Length; i++) samples[i] = (short)(8000 * Math.Sin(2 * Math.PI * 220 * i / rate));
        var path = PathOf($"tone-{scene}.wav");
        new WavFile(rate, 1, samples).Write(path);
        return new SceneVoiceResult(scene, path, seconds, [new WordTiming("tone", 0, seconds)], "en-us", 1.0);
    }

    /// <summary>An H.264 clip of ffmpeg's moving test pattern (testsrc2), landscape unless asked otherwise.</summary>
    public async Task<string> TestPatternClipAsync(double seconds, int width = 640, int height = 360, string name = "clip.mp4")
    {
        var path = PathOf(name);
        var r = await Tools.RunAsync(Tools.Ffmpeg, ["-v", "error", "-y", "-f", "lavfi", "-i",
            $"testsrc2=size={width}x{height}:rate=30:duration={seconds.ToString(CultureInfo.InvariantCulture)}",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", path]);
        Assert.True(r.ExitCode == 0, r.StdErr);
        return path;
    }

    /// <summary>Scenes of <paramref name="seconds"/> each, back to back, in the given styles.</summary>
    public static List<TimedScene> Timeline(double seconds, params VisualStyle[] styles) => styles.Select((style, i) => new TimedScene(
        new SceneScript(i, i == 0 ? SceneKind.Hook : SceneKind.Body, $"Scene {i} says something.", [$"kw{i}"], "", seconds),
        Math.Round(i * seconds, 3), seconds, 0.1, [new WordTiming("Scene", 0, 0.3)], style, "en-us")).ToList();

    /// <summary>A still image (JPEG, PNG) as 8-bit grey pixels at the given size.</summary>
    public static async Task<byte[]> GrayImageAsync(string file, int width, int height)
    {
        var (rgb, w, h) = await MediaProbe.RgbImageAsync(file, width, height);
        return Enumerable.Range(0, w * h).Select(i => (byte)Math.Round(0.299 * rgb[3 * i] + 0.587 * rgb[3 * i + 1] + 0.114 * rgb[3 * i + 2])).ToArray();
    }

    public void Dispose()
    {
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
    }
}
