using ViraLoop.Media.Assembly;

namespace ViraLoop.Media.Pipeline.Steps;

/// <summary>The MP4 to package and the directory the playlist and segments go to.</summary>
public sealed record HlsSpec(string VideoPath, string OutputDirectory);

/// <summary>
/// The VOD playlist and its segment files (names relative to the playlist's directory), the master playlist that names
/// it, and the C2PA sidecar when the MP4 carried a manifest.
/// </summary>
public sealed record HlsResult(string PlaylistPath, IReadOnlyList<string> Segments, string MasterPath, string? ProvenancePath);

/// <summary>
/// Step 6: HLS for streaming — the MP4's streams copied (not re-encoded) into 4 s fMP4 segments. Segments carry no C2PA
/// box, so the MP4's manifest store goes beside them (<see cref="ProvenanceFile"/>, application/c2pa) and the master
/// playlist says where (<c>#EXT-X-SESSION-DATA</c> with DATA-ID <c>org.c2pa.manifest</c>).
/// </summary>
public sealed class HlsStep
{
    public const string PlaylistFile = "index.m3u8", MasterPlaylistFile = "master.m3u8", ProvenanceFile = "provenance.c2pa";
    public const string ProvenanceDataId = "org.c2pa.manifest";

    public async Task<HlsResult> RunAsync(HlsSpec spec, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(spec.VideoPath)) throw new FileNotFoundException($"There is no video to package at {spec.VideoPath}.", spec.VideoPath);
        await FfmpegAssembler.PackageHlsAsync(Path.GetFullPath(spec.VideoPath), spec.OutputDirectory, cancellationToken);
        var playlist = Path.Combine(spec.OutputDirectory, PlaylistFile);
        var lines = await File.ReadAllLinesAsync(playlist, cancellationToken);
        var segments = lines.Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();

        string? provenance = null;
        if (ViraLoop.Media.Provenance.C2paReader.TryReadManifestStore(spec.VideoPath) is { } store)
        {
            provenance = Path.Combine(spec.OutputDirectory, ProvenanceFile);
            await File.WriteAllBytesAsync(provenance, store, cancellationToken);
        }
        var master = Path.Combine(spec.OutputDirectory, MasterPlaylistFile);
        await File.WriteAllTextAsync(master, MasterPlaylist(lines, spec.OutputDirectory, provenance is not null), cancellationToken);
        return new HlsResult(playlist, segments, master, provenance);
    }

    /// <summary>One variant (the media playlist) with its peak bit rate over the segments, and the C2PA session data when there is a sidecar.</summary>
    private static string MasterPlaylist(IReadOnlyList<string> media, string directory, bool provenance)
    {
        double peak = 0, duration = 0;
        foreach (var line in media.Select(l => l.Trim()))
        {
            if (line.StartsWith("#EXTINF:", StringComparison.Ordinal))
                duration = double.Parse(line[8..].TrimEnd(',').Split(',')[0], System.Globalization.CultureInfo.InvariantCulture);
            else if (line.Length > 0 && !line.StartsWith('#') && duration > 0)
                peak = Math.Max(peak, new FileInfo(Path.Combine(directory, line)).Length * 8 / duration);
        }
        var text = new System.Text.StringBuilder("#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n");
        if (provenance) text.Append($"#EXT-X-SESSION-DATA:DATA-ID=\"{ProvenanceDataId}\",URI=\"{ProvenanceFile}\"\n");
        text.Append($"#EXT-X-STREAM-INF:BANDWIDTH={(long)Math.Ceiling(Math.Max(peak, 1))}\n{PlaylistFile}\n");
        return text.ToString();
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
