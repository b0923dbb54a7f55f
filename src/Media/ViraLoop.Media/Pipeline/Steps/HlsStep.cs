using ViraLoop.Media.Assembly;

namespace ViraLoop.Media.Pipeline.Steps;

/// <summary>The MP4 to package and the directory the playlist and segments go to.</summary>
public sealed record HlsSpec(string VideoPath, string OutputDirectory);

/// <summary>The VOD playlist and its segment files (names relative to the playlist's directory).</summary>
public sealed record HlsResult(string PlaylistPath, IReadOnlyList<string> Segments);

/// <summary>Step 6: HLS for streaming — the MP4's streams copied (not re-encoded) into 4 s fMP4 segments.</summary>
public sealed class HlsStep
{
    public const string PlaylistFile = "index.m3u8";

    public async Task<HlsResult> RunAsync(HlsSpec spec, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(spec.VideoPath)) throw new FileNotFoundException($"There is no video to package at {spec.VideoPath}.", spec.VideoPath);
        await FfmpegAssembler.PackageHlsAsync(Path.GetFullPath(spec.VideoPath), spec.OutputDirectory, cancellationToken);
        var playlist = Path.Combine(spec.OutputDirectory, PlaylistFile);
        var segments = (await File.ReadAllLinesAsync(playlist, cancellationToken))
            .Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        return new HlsResult(playlist, segments);
    }

    /// <summary>The files an HLS playlist names: its segments and the init segment of fMP4 (EXT-X-MAP URI).</summary>
    public static IEnumerable<string> PlaylistFiles(string playlist)
    {
        foreach (var line in playlist.Split('\n').Select(l => l.Trim()))
        {
            if (line.StartsWith("#EXT-X-MAP:", StringComparison.Ordinal))
            {
                var uri = System.Text.RegularExpressions.Regex.Match(line, "URI=\"([^\"]+)\"");
                if (uri.Success) yield return uri.Groups[1].Value;
            }
            else if (line.Length > 0 && !line.StartsWith('#'))
            {
                yield return line;
            }
        }
    }
}
