using System.Diagnostics;
using ViraLoop.Media.Visuals;

namespace ViraLoop.Bench;

/// <summary>Milliseconds per background frame for each visual style at the master's background size (one thread).</summary>
public static class FrameBench
{
    public static void Run()
    {
        var palette = Palette.Named["neon"];
        foreach (var style in Enum.GetValues<VisualStyle>())
        {
            var r = new BackgroundRenderer(540, 960, 30, [new SceneVisual(style, palette, 42, 0, 10)]);
            var buf = new byte[r.FrameBytes];
            for (int i = 0; i < 10; i++) r.RenderFrame(i, buf);
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < 60; i++) r.RenderFrame(i * 4, buf);
            Console.WriteLine($"{style,-10} {sw.Elapsed.TotalMilliseconds / 60,6:0.00} ms/frame");
        }
    }
}
