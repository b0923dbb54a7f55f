using System.Globalization;

namespace ViraLoop.Media.Safety.Moderation;

/// <summary>
/// Image moderation of what a remote backend returned, before it enters a video: a few frames sampled across the clip
/// (start, middle, end; small PNGs) go to the moderation port's image check. Without an endpoint that sees images the
/// clip cannot be judged here, and the answer says so.
/// </summary>
public static class ClipScreening
{
    public const int Frames = 3;
    private const int Width = 320;

    /// <summary>The result: <see cref="Checked"/> false when nothing could look at images; the blocking finding, if any.</summary>
    public sealed record Screening(bool Checked, ModerationFinding? Flagged, IReadOnlyList<string> Notes)
    {
        public bool Passed => Flagged is null;
    }

    public static async Task<Screening> ScreenAsync(ContentModeration moderation, string clip, string field, ModerationPolicy policy,
        string workDirectory, CancellationToken ct = default)
    {
        if (moderation.Remote is not { ChecksImages: true }) return new Screening(false, null, []);
        var frames = await SampleAsync(clip, workDirectory, ct);
        var notes = new List<string>();
        for (var i = 0; i < frames.Count; i++)
        {
            var verdict = await moderation.CheckImageAsync(await File.ReadAllBytesAsync(frames[i], ct), "image/png", $"{field} (frame {i + 1} of {frames.Count})", policy, ct);
            notes.AddRange(verdict.Notes.Where(n => !notes.Contains(n)));
            if (verdict.Blocking is { } b) return new Screening(true, b, notes);
        }
        return new Screening(notes.Count == 0, null, notes);
    }

    /// <summary>Up to <see cref="Frames"/> small PNGs spread over the clip (a still gives one).</summary>
    public static async Task<IReadOnlyList<string>> SampleAsync(string clip, string workDirectory, CancellationToken ct = default)
    {
        Directory.CreateDirectory(workDirectory);
        var inv = CultureInfo.InvariantCulture;
        var probe = await Tools.RunAsync(Tools.Ffprobe, ["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", clip], ct: ct);
        var duration = double.TryParse(probe.StdOut.Trim(), NumberStyles.Float, inv, out var d) && d > 0 ? d : 0;
        var frames = new List<string>();
        var times = duration > 0.3 ? Enumerable.Range(0, Frames).Select(k => duration * (0.1 + 0.4 * k)) : [0.0];
        foreach (var (t, k) in times.Select((t, k) => (t, k)))
        {
            var png = Path.Combine(workDirectory, $"screen-{k}.png");
            var r = await Tools.RunAsync(Tools.Ffmpeg, ["-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-ss", t.ToString("0.###", inv), "-i", clip,
                "-frames:v", "1", "-vf", $"scale={Width}:-2", png], ct: ct);
            if (r.ExitCode == 0 && File.Exists(png)) frames.Add(png);
        }
        if (frames.Count == 0) throw new InvalidDataException($"No frame could be read from {Path.GetFileName(clip)} to check it.");
        return frames;
    }
}
