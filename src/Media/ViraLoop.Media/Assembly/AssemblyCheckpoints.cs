using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ViraLoop.Media.Assembly;

/// <summary>
/// The files an assembly can resume from, in its work directory: the picture as consecutive chunks of whole frames
/// (<c>picture-{first frame}-{frames}-{key}.mp4</c>, each its own H.264 stream starting on a keyframe) and the mixed soundtrack
/// (<c>audio-{key}.m4a</c> with its loudness figures beside it in <c>audio-{key}.json</c>). Each key hashes everything that
/// decides the file's bytes, so a changed spec, tool or build never reuses a stale file. Files are written under a
/// temporary name (<c>*.part-{unique}.*</c>), flushed to disk, then renamed into place: a file with a final name is complete.
/// </summary>
public static class AssemblyCheckpoints
{
    public const string PicturePrefix = "picture-", AudioPrefix = "audio-", PartMarker = ".part-";

    /// <summary>A run of whole frames encoded as one file.</summary>
    public sealed record Chunk(int Index, int StartFrame, int FrameCount, string FileName);

    /// <summary>Splits <paramref name="totalFrames"/> into chunks of <paramref name="chunkFrames"/> (the last one shorter), named by <paramref name="pictureKey"/> and range.</summary>
    public static IReadOnlyList<Chunk> Plan(int totalFrames, int chunkFrames, string pictureKey)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkFrames, 1);
        var chunks = new List<Chunk>();
        for (int start = 0, i = 0; start < totalFrames; start += chunkFrames, i++)
        {
            int count = Math.Min(chunkFrames, totalFrames - start);
            chunks.Add(new Chunk(i, start, count, $"{PicturePrefix}{start:D6}-{count:D4}-{Hash($"{pictureKey}|{start}|{count}")[..20]}.mp4"));
        }
        return chunks;
    }

    public static string AudioFileName(string audioKey) => $"{AudioPrefix}{audioKey[..20]}.m4a";
    public static string AudioStatsFileName(string audioKey) => $"{AudioPrefix}{audioKey[..20]}.json";

    /// <summary>
    /// The key of the picture: this build of the renderer and assembler, the ffmpeg build and fonts that burn the captions,
    /// the output settings, the timeline, every scene's visual (a clip by its content, not its path), the captions, and the
    /// watermark (payload and key fingerprint; null when none is embedded).
    /// </summary>
    public static async Task<string> PictureKeyAsync(RenderSettings settings, IReadOnlyList<object> timeline, IReadOnlyList<Visuals.SceneVisual> visuals,
        string captionsAss, int seed, int totalFrames, CancellationToken ct, object? watermark = null)
    {
        var clips = new List<string?>();
        foreach (var v in visuals) clips.Add(v.ClipPath is { } c ? await FileHashAsync(c, ct) : null);
        return Hash(JsonSerializer.Serialize(new
        {
            kind = "picture-v1",
            build = BuildId,
            ffmpeg = await FfmpegIdAsync(),
            fonts = FontsId(),
            settings,
            totalFrames,
            seed,
            timeline,
            visuals = visuals.Select((v, i) => v with { ClipPath = clips[i] }),
            captionsAss,
            watermark,
        }));
    }

    /// <summary>The key of the soundtrack: this build, the ffmpeg build, each voice by its content and place, the music and the length.</summary>
    public static async Task<string> AudioKeyAsync(IReadOnlyList<VoiceClip> voices, Music.MusicSpec music, int seed, double duration, CancellationToken ct)
    {
        var voiceIds = new List<object>();
        foreach (var v in voices) voiceIds.Add(new { content = await FileHashAsync(v.Path, ct), v.Start, v.Duration });
        return Hash(JsonSerializer.Serialize(new
        {
            kind = "audio-v1",
            build = BuildId,
            ffmpeg = await FfmpegIdAsync(),
            voices = voiceIds,
            music,
            seed,
            duration,
        }));
    }

    /// <summary>Flushes <paramref name="partPath"/> to disk and renames it to <paramref name="finalPath"/> (replacing any file there).</summary>
    public static void Publish(string partPath, string finalPath)
    {
        using (var f = new FileStream(partPath, FileMode.Open, FileAccess.ReadWrite, FileShare.Read)) f.Flush(flushToDisk: true);
        File.Move(partPath, finalPath, overwrite: true);
    }

    /// <summary>A temporary name beside <paramref name="finalPath"/>, unique to this writer, that keeps its extension (ffmpeg picks the format by it).</summary>
    public static string PartPathFor(string finalPath) =>
        Path.Combine(Path.GetDirectoryName(finalPath) ?? "", $"{Path.GetFileNameWithoutExtension(finalPath)}{PartMarker}{Guid.NewGuid():N}{Path.GetExtension(finalPath)}");

    /// <summary>
    /// Deletes checkpoint files of earlier specs (a final name not in <paramref name="keep"/>) and temporary files left by a
    /// crashed run (not written to for <paramref name="partAge"/>; a live writer keeps its file fresh).
    /// </summary>
    public static void DeleteStale(string workDirectory, IReadOnlySet<string> keep, TimeSpan partAge)
    {
        foreach (var path in Directory.EnumerateFiles(workDirectory))
        {
            var name = Path.GetFileName(path);
            if (!name.StartsWith(PicturePrefix, StringComparison.Ordinal) && !name.StartsWith(AudioPrefix, StringComparison.Ordinal)) continue;
            bool stale = name.Contains(PartMarker, StringComparison.Ordinal)
                ? DateTime.UtcNow - File.GetLastWriteTimeUtc(path) > partAge
                : !keep.Contains(name);
            if (!stale) continue;
            try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    public static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static async Task<string> FileHashAsync(string path, CancellationToken ct)
    {
        await using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(f, ct));
    }

    /// <summary>This build of ViraLoop.Media (deterministic builds give the same id for the same source).</summary>
    private static readonly string BuildId = typeof(AssemblyCheckpoints).Assembly.ManifestModule.ModuleVersionId.ToString("N");

    private static readonly Lazy<Task<string>> FfmpegId = new(() => Tools.VersionAsync(Tools.Ffmpeg, "-version"));

    private static Task<string> FfmpegIdAsync() => FfmpegId.Value;

    /// <summary>The fonts libass may pick from (the directory of <see cref="Tools.FontPath"/>), by name, size and time.</summary>
    private static string FontsId()
    {
        var dir = Path.GetDirectoryName(Tools.FontPath);
        if (dir is null || !Directory.Exists(dir)) return "none";
        return Hash(string.Join('\n', Directory.EnumerateFiles(dir).Order(StringComparer.Ordinal)
            .Select(f => new FileInfo(f)).Select(f => $"{f.Name}:{f.Length}:{f.LastWriteTimeUtc.Ticks}")));
    }
}
