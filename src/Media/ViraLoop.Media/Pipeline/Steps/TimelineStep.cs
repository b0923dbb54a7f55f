using ViraLoop.Media.Captions;
using ViraLoop.Media.Visuals;

namespace ViraLoop.Media.Pipeline.Steps;

/// <summary>The script, the voices of its scenes (in scene order) and the request they were made for.</summary>
public sealed record TimelineSpec(VideoRequest Request, Script Script, IReadOnlyList<SceneVoiceResult> Voices, int Seed);

/// <summary>
/// Either the timed scenes (<see cref="Scenes"/>, back to back from 0 to <see cref="DurationSeconds"/>), or, when the voices
/// spoken at normal speed are too long for the requested length, <see cref="RespeakSpeed"/>: speak every scene again at that
/// speed and plan again. <see cref="Notes"/> say what was adjusted, in words.
/// </summary>
public sealed record TimelineResult(IReadOnlyList<TimedScene> Scenes, double DurationSeconds, double? RespeakSpeed, IReadOnlyList<string> Notes)
{
    public bool NeedsRespeak => RespeakSpeed is not null;
}

/// <summary>
/// Step 3 (pure): each scene lasts its voice plus a gap; spare time is shared out over the body scenes (the hook stays
/// tight); cuts fall on phrase boundaries. Narration too long for the requested length is spoken faster (at most
/// ×<see cref="MaxSpeed"/>) rather than cut. Pacing sets the pause between scenes (<see cref="GapFor"/>): fast pacing cuts
/// sooner after the last word, slow pacing lets each scene breathe.
/// </summary>
public sealed class TimelineStep
{
    public const double SceneGap = 0.35, HookGap = 0.2, MaxSpeed = 1.45;

    /// <summary>The pause after a body scene's voice: 0.2 s at fast pacing, 0.35 s at medium, 0.6 s at slow.</summary>
    public static double GapFor(string? pacing) => pacing switch { "fast" => 0.2, "slow" => 0.6, _ => SceneGap };

    public TimelineResult Run(TimelineSpec spec)
    {
        var (request, script, voices) = (spec.Request, spec.Script, spec.Voices);
        int n = script.Scenes.Count;
        if (voices.Count != n) throw new ArgumentException($"The script has {n} scenes but {voices.Count} voices were given.", nameof(spec));
        for (int i = 0; i < n; i++)
            if (voices[i].SceneIndex != i) throw new ArgumentException($"Voice {i} belongs to scene {voices[i].SceneIndex}; voices must be in scene order.", nameof(spec));

        var notes = new List<string>();
        double sceneGap = GapFor(request.Pacing);
        double gaps = HookGap + sceneGap * (n - 1);
        double spoken = voices.Sum(v => v.DurationSeconds);
        // A scene list that times every scene is the user's timeline: its durations win over the requested length
        // (the default 30 s would otherwise stretch the body scenes far beyond what was given).
        double target = request.Scenes is { Count: > 0 } given && given.All(s => s.Duration is > 0)
            ? given.Sum(s => s.Duration!.Value)
            : request.DurationSeconds;
        double spokenAt = voices[0].Speed;
        if (spokenAt == 1.0 && spoken + gaps > target * 1.03)
        {
            double speed = Math.Min(MaxSpeed, spoken / Math.Max(0.5, target * 1.0 - gaps));
            if (speed > 1.02) return new TimelineResult([], 0, speed, []);
        }
        if (spokenAt != 1.0) notes.Add($"voice speed x{spokenAt:0.00} to fit {target:0.#} s");

        var d = new double[n];
        for (int i = 0; i < n; i++)
        {
            double need = voices[i].DurationSeconds + (i == 0 ? HookGap : sceneGap);
            d[i] = Math.Max(need, request.Scenes?[i].Duration ?? 0);
        }
        double sum = d.Sum();
        if (sum < target)
        {
            // Spread spare time over body scenes (the hook stays tight so it lands in the first seconds).
            var idx = Enumerable.Range(0, n).Where(i => i > 0 || n == 1).ToList();
            double extra = (target - sum) / idx.Count;
            foreach (var i in idx) d[i] += extra;
        }
        else if (sum > target * 1.1)
        {
            notes.Add($"the narration needs {sum:0.#} s, longer than the requested {target:0.#} s; the video is longer rather than dropping the user's words");
        }
        var timed = new List<TimedScene>(n);
        double t = 0;
        for (int i = 0; i < n; i++)
        {
            var s = script.Scenes[i];
            var style = VisualStyles.ForScene(request.Style, i, spec.Seed, $"{s.Narration} {string.Join(' ', s.Keywords)} {s.VisualDescription}", script.Language);
            double voiceOffset = i == 0 ? 0.05 : sceneGap / 2;
            timed.Add(new TimedScene(s with { DurationSeconds = Math.Round(d[i], 3) }, Math.Round(t, 3), Math.Round(d[i], 3),
                voiceOffset, voices[i].Words, style, voices[i].Voice));
            t += d[i];
        }
        return new TimelineResult(timed, timed[^1].End, null, notes);
    }
}
