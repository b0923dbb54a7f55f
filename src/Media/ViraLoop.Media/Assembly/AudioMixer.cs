using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ViraLoop.Media.Assembly;

/// <summary>
/// The soundtrack: voices placed on the timeline, music ducked under them by a sidechain compressor, and
/// the whole mix normalised to the loudness target in two passes (measure, then apply linearly), so the
/// result lands on −14 LUFS instead of wherever one-pass dynamic normalisation drifts.
/// </summary>
public static class AudioMixer
{
    public const double TargetLufs = -14, TruePeak = -1.5, Lra = 11;

    public static async Task<LoudnessStats> MixAsync(IReadOnlyList<VoiceClip> voices, string musicPath, double duration, string output, CancellationToken ct)
    {
        var graph = Graph(voices, duration);
        var inputs = Inputs(voices, musicPath);
        var inv = CultureInfo.InvariantCulture;
        var measure = await Tools.RunAsync(Tools.Ffmpeg, [.. inputs, "-filter_complex",
            graph + $";[mix]loudnorm=I={TargetLufs}:TP={TruePeak}:LRA={Lra}:print_format=json[out]", "-map", "[out]", "-f", "null", "-"], ct: ct);
        if (measure.ExitCode != 0) throw new InvalidOperationException($"ffmpeg could not measure the mix: {Tail(measure.StdErr)}");
        var m = ParseStats(measure.StdErr);
        var apply = string.Create(inv, $";[mix]loudnorm=I={TargetLufs}:TP={TruePeak}:LRA={Lra}:measured_I={m.InputI:0.00}:measured_TP={m.InputTp:0.00}:measured_LRA={m.InputLra:0.00}:measured_thresh={m.InputThresh:0.00}:offset={m.TargetOffset:0.00}:linear=true,aresample=48000[out]");
        var r = await Tools.RunAsync(Tools.Ffmpeg, ["-hide_banner", "-loglevel", "error", "-y", .. inputs, "-filter_complex", graph + apply,
            "-map", "[out]", "-c:a", "pcm_s16le", "-ar", "48000", "-ac", "2", output], ct: ct);
        if (r.ExitCode != 0) throw new InvalidOperationException($"ffmpeg could not mix the audio: {Tail(r.StdErr)}");
        return m;
    }

    private static List<string> Inputs(IReadOnlyList<VoiceClip> voices, string music)
    {
        var list = new List<string> { "-hide_banner", "-nostats" };
        foreach (var v in voices) list.AddRange(["-i", v.Path]);
        list.AddRange(["-i", music]);
        return list;
    }

    private static string Graph(IReadOnlyList<VoiceClip> voices, double duration)
    {
        var inv = CultureInfo.InvariantCulture;
        var f = new StringBuilder();
        for (int i = 0; i < voices.Count; i++)
            f.Append(inv, $"[{i}:a]aresample=48000,aformat=channel_layouts=stereo,adelay={(int)Math.Round(voices[i].Start * 1000)}:all=1[a{i}];");
        for (int i = 0; i < voices.Count; i++) f.Append(inv, $"[a{i}]");
        f.Append(inv, $"amix=inputs={voices.Count}:normalize=0:duration=longest,apad=whole_dur={duration:0.###},asplit=2[voice][key];");
        f.Append(inv, $"[{voices.Count}:a]aresample=48000,aformat=channel_layouts=stereo,volume=0.45[music];");
        f.Append("[music][key]sidechaincompress=threshold=0.02:ratio=8:attack=10:release=400[ducked];");
        f.Append(inv, $"[voice][ducked]amix=inputs=2:normalize=0:duration=first,atrim=0:{duration:0.###}[mix]");
        return f.ToString();
    }

    public sealed record LoudnessStats(double InputI, double InputTp, double InputLra, double InputThresh, double TargetOffset);

    private static LoudnessStats ParseStats(string stderr)
    {
        int start = stderr.LastIndexOf('{'), end = stderr.LastIndexOf('}');
        if (start < 0 || end < start) throw new InvalidOperationException("ffmpeg's loudnorm printed no measurement.");
        using var doc = JsonDocument.Parse(stderr[start..(end + 1)]);
        double Get(string name)
        {
            var s = doc.RootElement.GetProperty(name).GetString();
            return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) ? v : -70;
        }
        return new(Get("input_i"), Get("input_tp"), Get("input_lra"), Get("input_thresh"), Get("target_offset"));
    }

    private static string Tail(string s) => s.Length > 2000 ? s[^2000..].Trim() : s.Trim();
}
