using System.Text.Json;
using ViraLoop.Media.Pipeline;
using ViraLoop.Media.Provenance;

namespace ViraLoop.Media.Tests.Provenance;

/// <summary>The pipeline's own outputs carry their provenance: the preview MP4, manifest.json, and the HLS master playlist and sidecar.</summary>
[Collection(RenderedVideosCollection.Name)]
public sealed class PipelineProvenanceTests(RenderedVideos videos)
{
    private static string DevRoot => C2paSigningKey.DevelopmentRootPath();

    [Fact]
    public async Task PreviewVideo_WasmReader_ValidTrustedHashMatches_AndOurReaderAgrees()
    {
        var report = await C2paVerifyTool.VerifyAsync(videos.English.VideoPath, DevRoot);
        Assert.True(report.Failures.Count == 0 && report.Error is null, report.ToString());
        Assert.Equal("Trusted", report.ValidationState);
        Assert.True(report.Trusted && report.HashMatches, report.ToString());

        var ours = C2paReader.TryRead(videos.English.VideoPath);
        Assert.NotNull(ours);
        Assert.True(ours.Valid, ours.ToString());
        Assert.Equal(report.Json.GetProperty("activeManifest").GetString(), ours.ManifestLabel);
        Assert.Equal(C2paClaimSpec.AlgorithmicMedia, ours.DigitalSourceType); // procedural scenes, no remote model
        Assert.Equal([C2paAction.Created, C2paAction.Edited], ours.Actions);
    }

    [Fact]
    public async Task PreviewVideo_OneByteChangedInMdat_WasmReaderAndOurReaderReportMismatch()
    {
        var copy = Path.Combine(Directory.CreateTempSubdirectory("vl-c2pa-tamper-").FullName, "video.mp4");
        try
        {
            File.Copy(videos.English.VideoPath, copy);
            C2paSignerTests.FlipByteInMdat(copy);
            var report = await C2paVerifyTool.VerifyAsync(copy, DevRoot);
            Assert.Contains("assertion.bmffHash.mismatch", report.Failures);
            Assert.False(report.HashMatches);
            var ours = C2paReader.TryRead(copy)!;
            Assert.True(ours.SignatureValid);
            Assert.False(ours.HashMatches);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(copy)!, recursive: true);
        }
    }

    [Fact]
    public void Manifest_ProvenanceSection_NamesTheEmbeddedManifest()
    {
        var p = RenderedVideos.Manifest(videos.English).GetProperty("provenance");
        var ours = C2paReader.TryRead(videos.English.VideoPath)!;
        Assert.Equal("C2PA", p.GetProperty("standard").GetString());
        Assert.Equal(ours.ManifestLabel, p.GetProperty("manifestLabel").GetString());
        Assert.Equal(ours.Signer, p.GetProperty("signer").GetString());
        Assert.Equal(ours.Issuer, p.GetProperty("issuer").GetString());
        Assert.Equal(ours.SigningTime, p.GetProperty("signingTime").GetDateTimeOffset());
        Assert.Equal(ours.Actions, p.GetProperty("actions").EnumerateArray().Select(a => a.GetString()!).ToList());
        Assert.True(RenderedVideos.Manifest(videos.English).GetProperty("stepSeconds").TryGetProperty("provenance", out _));
        // The manifest's size of the video is the signed file's.
        var files = RenderedVideos.Manifest(videos.English).GetProperty("files").EnumerateArray()
            .ToDictionary(f => f.GetProperty("name").GetString()!, f => f.GetProperty("bytes").GetInt64());
        Assert.Equal(new FileInfo(videos.English.VideoPath).Length, files[VideoPipeline.VideoFile]);
        Assert.True(files[VideoPipeline.HlsProvenance] > 1000);
    }

    [Fact]
    public async Task Hls_MasterPlaylist_PointsAtProvenanceSidecar_HoldingTheVideosManifestStore()
    {
        var hls = Path.Combine(RenderedVideos.Dir(videos.English), "hls");
        var master = await File.ReadAllLinesAsync(Path.Combine(hls, "master.m3u8"));
        Assert.Equal("#EXTM3U", master[0]);
        Assert.Contains("#EXT-X-SESSION-DATA:DATA-ID=\"org.c2pa.manifest\",URI=\"provenance.c2pa\"", master);
        Assert.Equal("index.m3u8", master[^1]);
        Assert.Matches(@"^#EXT-X-STREAM-INF:BANDWIDTH=\d{5,}$", master[^2]);
        var sidecar = await File.ReadAllBytesAsync(Path.Combine(hls, "provenance.c2pa"));
        Assert.Equal(C2paReader.TryReadManifestStore(videos.English.VideoPath), sidecar);
        Assert.Equal("jumb", System.Text.Encoding.ASCII.GetString(sidecar, 4, 4));
        // ffprobe reads the master playlist and finds the variant's streams through it.
        var probe = await MediaProbe.ProbeAsync(Path.Combine(hls, "master.m3u8"));
        Assert.Equal("h264", MediaProbe.Stream(probe, "video").GetProperty("codec_name").GetString());
    }
}
