using System.Globalization;
using Microsoft.Win32.SafeHandles;

namespace ViraLoop.Media.Visuals;

/// <summary>
/// A scene's clip decoded once to raw RGB24 frames at the background's size and frame rate (scaled to cover the 9:16
/// frame and centre-cropped, looped when shorter than the scene, cut at its length), kept in a file and read by frame
/// number, so the procedural renderer's frame stream can show it and the picture is still encoded once.
/// </summary>
public sealed class ClipFrames : IDisposable
{
    private readonly SafeFileHandle _file;
    private readonly string _path;

    private ClipFrames(string path, int width, int height, int count)
    {
        _path = path;
        Width = width;
        Height = height;
        Count = count;
        _file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
    }

    public int Width { get; }
    public int Height { get; }
    public int Count { get; }
    public int FrameBytes => Width * Height * 3;

    /// <summary>Decodes <paramref name="clip"/> into <paramref name="rawPath"/> (deleted again on <see cref="Dispose"/>).</summary>
    public static async Task<ClipFrames> DecodeAsync(string clip, int width, int height, double fps, double seconds, string rawPath,
        CancellationToken cancellationToken = default)
    {
        if (!File.Exists(clip)) throw new FileNotFoundException($"The scene's clip {clip} does not exist.", clip);
        var inv = CultureInfo.InvariantCulture;
        int frames = Math.Max(1, (int)Math.Ceiling(seconds * fps - 1e-6) + 1);
        var r = await Tools.RunAsync(Tools.Ffmpeg, ["-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-stream_loop", "-1", "-i", clip, "-an",
            "-vf", $"scale={width}:{height}:force_original_aspect_ratio=increase:flags=bicubic,crop={width}:{height},setsar=1,fps={fps.ToString(inv)}",
            "-frames:v", frames.ToString(inv), "-f", "rawvideo", "-pix_fmt", "rgb24", rawPath], ct: cancellationToken);
        long length = File.Exists(rawPath) ? new FileInfo(rawPath).Length : 0;
        int count = (int)(length / ((long)width * height * 3));
        if (r.ExitCode != 0 || count == 0)
        {
            if (File.Exists(rawPath)) File.Delete(rawPath);
            throw new InvalidOperationException($"ffmpeg could not decode the clip {clip} (exit {r.ExitCode}): {r.StdErr.Trim()}");
        }
        return new ClipFrames(rawPath, width, height, count);
    }

    /// <summary>
    /// Decodes the clips of the scenes that have one (and that <paramref name="include"/> selects), each for its scene's
    /// duration, into raw files under <paramref name="workDirectory"/>; the caller disposes them.
    /// </summary>
    public static async Task<Dictionary<int, ClipFrames>> DecodeScenesAsync(IReadOnlyList<SceneVisual> scenes, int width, int height, double fps,
        string workDirectory, Func<int, bool>? include = null, CancellationToken cancellationToken = default)
    {
        var clips = new Dictionary<int, ClipFrames>();
        try
        {
            for (int i = 0; i < scenes.Count; i++)
                if (scenes[i].ClipPath is { } clip && (include?.Invoke(i) ?? true))
                    clips[i] = await DecodeAsync(clip, width, height, fps, scenes[i].Duration,
                        Path.Combine(workDirectory, $"clip-{i}-{Guid.NewGuid():N}.rgb"), cancellationToken);
            return clips;
        }
        catch
        {
            foreach (var c in clips.Values) c.Dispose();
            throw;
        }
    }

    /// <summary>Frame <paramref name="frame"/> of the fitted clip (the last one past its end), as RGB24. Safe to call from several threads.</summary>
    public void Read(int frame, Span<byte> rgb)
    {
        long offset = (long)Math.Clamp(frame, 0, Count - 1) * FrameBytes;
        var target = rgb[..FrameBytes];
        while (target.Length > 0)
        {
            int n = RandomAccess.Read(_file, target, offset);
            if (n <= 0) throw new IOException($"The decoded clip {_path} ended early.");
            target = target[n..];
            offset += n;
        }
    }

    public void Dispose()
    {
        _file.Dispose();
        try { File.Delete(_path); } catch (IOException) { }
    }
}
