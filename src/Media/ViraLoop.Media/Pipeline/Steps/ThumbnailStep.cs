using ViraLoop.Media.Assembly;
using ViraLoop.Media.Captions;
using ViraLoop.Media.Visuals;

namespace ViraLoop.Media.Pipeline.Steps;

/// <summary>
/// The title to show, the video's visual sources, the moment whose background is used, the format, and where to write the
/// JPEG; <paramref name="Style"/> is the thumbnail gene (title-box, big-word, clean; null is title-box) and
/// <paramref name="Keyword"/> the word a big-word thumbnail shows (default: the title's longest word).
/// </summary>
public sealed record ThumbnailSpec(string Title, IReadOnlyList<SceneVisual> Visuals, double AtSeconds, RenderSettings Settings, string OutputPath, string WorkDirectory,
    string? Language = null, string? Style = null, string? Keyword = null);

public sealed record ThumbnailResult(string ThumbnailPath);

/// <summary>
/// Step 7: the thumbnail — the background at <see cref="ThumbnailSpec.AtSeconds"/> (rendered again, clean of captions) at
/// full size, with the title on a box in the middle of the frame (title-box), one huge keyword (big-word), or the title
/// small and unboxed low in the safe area (clean).
/// </summary>
public sealed class ThumbnailStep
{
    /// <summary>The word a big-word thumbnail shows: the hook's first keyword (the topic's main word), else the title's longest word.</summary>
    public static string KeywordOf(Script script) =>
        script.Scenes.FirstOrDefault()?.Keywords.FirstOrDefault() is { Length: > 0 } k ? k
        : script.Title.Split(' ', StringSplitOptions.RemoveEmptyEntries).OrderByDescending(w => w.Length).FirstOrDefault() ?? script.Title;

    /// <summary>The style line and the dialogue text of the thumbnail's one subtitle event.</summary>
    private static (string Style, string Text) Overlay(ThumbnailSpec spec)
    {
        var language = spec.Language is { } l && Languages.TryGet(l, out var lang) ? lang : null;
        switch (spec.Style)
        {
            case "big-word":
            {
                // One word, as large as fits 880 px (at most 300 px tall), yellow on a heavy outline, tilted a little.
                var word = (spec.Keyword ?? KeywordOf(new Script(spec.Title, spec.Language ?? "en", "", [], ""))).Trim();
                if (language is not null) word = word.ToUpper(language.Culture);
                int size = (int)Math.Clamp(880 / Math.Max(1, AssWriter.Ems(word)), 90, 300);
                return ($"Style: Title,DejaVu Sans,{size},&H0000E5FF,&H00FFFFFF,&H00101010,&H90000000,-1,0,0,0,100,100,0,0,1,{Math.Max(8, size / 14)},{Math.Max(4, size / 30)},5,100,100,0,-1",
                    $"{{\frz6}}{AssWriter.Text(word)}");
            }
            case "clean":
                // Minimal: the title small, white with a soft shadow, no box, low in the safe area.
                return ("Style: Title,DejaVu Sans,64,&H00FFFFFF,&H00FFFFFF,&H60000000,&H80000000,-1,0,0,0,100,100,0,0,1,2,3,2,140,170,440,-1",
                    AssWriter.Wrapped(spec.Title, (1080 - 140 - 170) / 64.0 * 0.9, language));
            default:
                return ("Style: Title,DejaVu Sans,110,&H00FFFFFF,&H00FFFFFF,&H00101010,&HA0000000,-1,0,0,0,100,100,0,0,3,18,0,5,140,170,0,-1",
                    AssWriter.Wrapped(spec.Title, (1080 - 140 - 170) / 110.0 * 0.9, language));
        }
    }

    public async Task<ThumbnailResult> RunAsync(ThumbnailSpec spec, CancellationToken cancellationToken = default)
    {
        var s = spec.Settings;
        var work = spec.WorkDirectory;
        Directory.CreateDirectory(work);
        var (style, text) = Overlay(spec);
        var ass = $"""
            [Script Info]
            ScriptType: v4.00+
            PlayResX: 1080
            PlayResY: 1920

            [V4+ Styles]
            {AssWriter.StyleFormat}
            {style}

            [Events]
            {AssWriter.EventFormat}
            Dialogue: 0,0:00:00.00,9:00:00.00,Title,,0,0,0,,{text}
            """;
        await File.WriteAllTextAsync(Path.Combine(work, "thumb.ass"), ass, cancellationToken);
        double at = spec.AtSeconds;
        var visuals = spec.Visuals;
        // Only clips that can be on screen at that moment (the scene playing and, during a push transition, the next one).
        var clips = await ClipFrames.DecodeScenesAsync(visuals, s.BackgroundWidth, s.BackgroundHeight, s.Fps, work,
            i => visuals[i].Start <= at + 1 && visuals[i].End >= at, cancellationToken);
        try
        {
            var bg = new BackgroundRenderer(s.BackgroundWidth, s.BackgroundHeight, s.Fps, visuals, clips: clips);
            var frame = new byte[bg.YuvFrameBytes];
            bg.RenderFrameYuv420((int)(at * s.Fps), frame);
            await File.WriteAllBytesAsync(Path.Combine(work, "thumb.yuv"), frame, cancellationToken);
            var r = await Tools.RunAsync(Tools.Ffmpeg, ["-hide_banner", "-loglevel", "error", "-y",
                "-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", $"{bg.Width}x{bg.Height}", "-i", "thumb.yuv", "-frames:v", "1",
                "-vf", $"scale={s.Width}:{s.Height}:flags=bicubic,ass=thumb.ass:fontsdir={Path.GetDirectoryName(Tools.FontPath)}", "-q:v", "3",
                Path.GetFullPath(spec.OutputPath)], ct: cancellationToken, workingDirectory: work);
            if (r.ExitCode != 0) throw new InvalidOperationException($"ffmpeg could not make the thumbnail: {r.StdErr.Trim()}");
        }
        finally
        {
            foreach (var c in clips.Values) c.Dispose();
        }
        return new ThumbnailResult(spec.OutputPath);
    }
}
