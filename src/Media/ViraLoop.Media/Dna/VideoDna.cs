using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace ViraLoop.Media.Dna;

/// <summary>
/// A video's "DNA": a fixed-length vector (<see cref="Dimension"/> = 256 floats, unit length) that puts videos alike in
/// picture, motion, sound and words close together under cosine similarity. Layout:
/// <list type="table">
/// <item><term>[0, 96) colour</term><description><see cref="FrameFeatures"/>: HSV and luma histograms, brightness, contrast, saturation, detail.</description></item>
/// <item><term>[96, 128) motion</term><description><see cref="FrameFeatures"/>: frame-difference level, spread, distribution, cut rate.</description></item>
/// <item><term>[128, 160) audio</term><description><see cref="AudioFeatures"/>: short-term loudness level and spread, level histogram, tempo.</description></item>
/// <item><term>[160, 256) script</term><description><see cref="ScriptFeatures"/>: hashed word 1–2-grams and character 3-grams of the narration.</description></item>
/// </list>
/// Each block is made unit length and scaled by the square root of its share (<see cref="ColourShare"/> 0.30,
/// <see cref="MotionShare"/> 0.15, <see cref="AudioShare"/> 0.15, <see cref="ScriptShare"/> 0.40), then the whole vector
/// is made unit length — so the cosine of two DNAs is the share-weighted mean of their blocks' cosines (a block missing in
/// one, e.g. no narration, counts as 0 and the rest re-weigh). Frames are sampled at <see cref="FramesPerSecond"/> per
/// second at <see cref="FrameWidth"/>×<see cref="FrameHeight"/> (any aspect is squeezed to it); sound at 16 kHz mono.
/// </summary>
public static class VideoDna
{
    public const int Dimension = 256;
    public const int ColourOffset = 0;
    public const int MotionOffset = ColourOffset + FrameFeatures.ColourLength;
    public const int AudioOffset = MotionOffset + FrameFeatures.MotionLength;
    public const int ScriptOffset = AudioOffset + AudioFeatures.Length;
    public const float ColourShare = 0.30f, MotionShare = 0.15f, AudioShare = 0.15f, ScriptShare = 0.40f;
    public const int FramesPerSecond = 4;
    public const int FrameWidth = 54, FrameHeight = 96;

    /// <summary>
    /// Computes the DNA of <paramref name="videoPath"/>. <paramref name="manifestOrScript"/> is a manifest.json path (the
    /// scenes' <c>narration</c> is read from it) or the narration text itself; null reads manifest.json beside the video if
    /// there is one (else the script block is empty).
    /// </summary>
    public static async Task<float[]> ComputeAsync(string videoPath, string? manifestOrScript = null, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(videoPath)) throw new FileNotFoundException($"No video at {videoPath}.", videoPath);
        string? script = ReadScript(videoPath, manifestOrScript);
        var frames = DecodeFramesAsync(videoPath, cancellationToken);
        var audio = DecodeAudioAsync(videoPath, cancellationToken);
        await Task.WhenAll(frames, audio);
        return Compose(await frames, await audio, script);
    }

    /// <summary>Builds the vector from decoded frames (RGB24, <see cref="FrameWidth"/>×<see cref="FrameHeight"/>, <see cref="FramesPerSecond"/>), 16 kHz mono PCM and the narration.</summary>
    public static float[] Compose(byte[] frames, short[] pcm, string? script)
    {
        var v = new float[Dimension];
        int frameBytes = FrameWidth * FrameHeight * 3;
        FrameFeatures.Compute(frames, frames.Length / frameBytes, FrameWidth, FrameHeight, FramesPerSecond,
            v.AsSpan(ColourOffset, FrameFeatures.ColourLength), v.AsSpan(MotionOffset, FrameFeatures.MotionLength));
        AudioFeatures.Compute(pcm, v.AsSpan(AudioOffset, AudioFeatures.Length));
        ScriptFeatures.Compute(script, v.AsSpan(ScriptOffset, ScriptFeatures.Length));
        DnaMath.Normalize(v.AsSpan(ColourOffset, FrameFeatures.ColourLength), MathF.Sqrt(ColourShare));
        DnaMath.Normalize(v.AsSpan(MotionOffset, FrameFeatures.MotionLength), MathF.Sqrt(MotionShare));
        DnaMath.Normalize(v.AsSpan(AudioOffset, AudioFeatures.Length), MathF.Sqrt(AudioShare));
        DnaMath.Normalize(v.AsSpan(ScriptOffset, ScriptFeatures.Length), MathF.Sqrt(ScriptShare));
        DnaMath.Normalize(v);
        return v;
    }

    /// <summary>Cosine similarity of two DNAs (their dot product, as both are unit length; computed in full for safety).</summary>
    public static float Similarity(ReadOnlySpan<float> a, ReadOnlySpan<float> b) => DnaMath.Cosine(a, b);

    /// <summary>The cosine of each block alone (colour, motion, audio, script): what made two videos alike or not.</summary>
    public static (float Colour, float Motion, float Audio, float Script) BlockSimilarities(ReadOnlySpan<float> a, ReadOnlySpan<float> b) =>
        (DnaMath.Cosine(a.Slice(ColourOffset, FrameFeatures.ColourLength), b.Slice(ColourOffset, FrameFeatures.ColourLength)),
         DnaMath.Cosine(a.Slice(MotionOffset, FrameFeatures.MotionLength), b.Slice(MotionOffset, FrameFeatures.MotionLength)),
         DnaMath.Cosine(a.Slice(AudioOffset, AudioFeatures.Length), b.Slice(AudioOffset, AudioFeatures.Length)),
         DnaMath.Cosine(a.Slice(ScriptOffset, ScriptFeatures.Length), b.Slice(ScriptOffset, ScriptFeatures.Length)));

    /// <summary>The narration: the scenes' <c>narration</c> of a manifest, or the text given.</summary>
    public static string? ReadScript(string videoPath, string? manifestOrScript)
    {
        string? manifest = manifestOrScript;
        if (manifest is null)
        {
            var beside = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(videoPath)) ?? ".", "manifest.json");
            if (!File.Exists(beside)) return null;
            manifest = beside;
        }
        bool looksLikePath = manifest.EndsWith(".json", StringComparison.OrdinalIgnoreCase) && !manifest.Contains('\n');
        if (!looksLikePath) return manifest;
        if (!File.Exists(manifest)) throw new FileNotFoundException($"No manifest at {manifest}.", manifest);
        using var doc = JsonDocument.Parse(File.ReadAllBytes(manifest));
        if (!doc.RootElement.TryGetProperty("scenes", out var scenes) || scenes.ValueKind != JsonValueKind.Array)
            throw new MediaInputException($"{manifest} has no scenes.");
        var sb = new StringBuilder();
        foreach (var scene in scenes.EnumerateArray())
            if (scene.TryGetProperty("narration", out var n) && n.ValueKind == JsonValueKind.String) sb.Append(n.GetString()).Append('\n');
        return sb.ToString();
    }

    private static async Task<byte[]> DecodeFramesAsync(string video, CancellationToken ct)
    {
        var (code, bytes, errors) = await RawAsync([
            // Deblocking skipped and non-reference frames not decoded (H.264's B-frames): 30 % less CPU, invisible at 54×96 and 4 fps.
            "-hide_banner", "-nostats", "-loglevel", "error", "-skip_loop_filter", "all", "-skip_frame", "noref", "-i", video, "-an", "-sn", "-dn",
            "-vf", string.Create(CultureInfo.InvariantCulture, $"fps={FramesPerSecond},scale={FrameWidth}:{FrameHeight}:flags=area,format=rgb24"),
            "-f", "rawvideo", "pipe:1"], ct);
        if (code != 0) throw new MediaInputException($"ffmpeg could not decode the frames of {video}: {errors.Trim()}");
        return bytes;
    }

    private static async Task<short[]> DecodeAudioAsync(string video, CancellationToken ct)
    {
        var (code, bytes, _) = await RawAsync([
            "-hide_banner", "-nostats", "-loglevel", "error", "-i", video, "-vn", "-sn", "-dn", "-map", "0:a:0?",
            "-ac", "1", "-ar", AudioFeatures.SampleRate.ToString(CultureInfo.InvariantCulture), "-f", "s16le", "pipe:1"], ct);
        // A video without sound: ffmpeg refuses an output with no streams; the audio block is then empty.
        if (code != 0) return [];
        return MemoryMarshal.Cast<byte, short>(bytes.AsSpan(0, bytes.Length & ~1)).ToArray();
    }

    private static async Task<(int Code, byte[] Output, string Errors)> RawAsync(IEnumerable<string> args, CancellationToken ct)
    {
        var psi = new ProcessStartInfo(Tools.Ffmpeg) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("Could not start ffmpeg.");
        Tools.Deprioritize(p);
        try
        {
            var errors = p.StandardError.ReadToEndAsync(ct);
            using var output = new MemoryStream();
            await p.StandardOutput.BaseStream.CopyToAsync(output, ct);
            await p.WaitForExitAsync(ct);
            return (p.ExitCode, output.ToArray(), await errors);
        }
        catch (OperationCanceledException)
        {
            try { p.Kill(true); } catch (InvalidOperationException) { }
            throw;
        }
        finally
        {
            Tools.ClosePipes(p);
        }
    }
}
