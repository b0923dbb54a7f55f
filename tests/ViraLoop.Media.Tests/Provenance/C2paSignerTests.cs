using ViraLoop.Media.Provenance;
using Xunit.Abstractions;

namespace ViraLoop.Media.Tests.Provenance;

/// <summary>A one-second MP4 made by ffmpeg (faststart, like the pipeline's), signed with the development CA, read back by us and by c2pa-rs.</summary>
public sealed class C2paSignerTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vl-c2pa-").FullName;
    private string DevCa => Path.Combine(_dir, "dev-ca");
    private static readonly DateTimeOffset When = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    public async Task InitializeAsync()
    {
        Tools.RequireMedia();
        var r = await Tools.RunAsync(Tools.Ffmpeg, ["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=64x112:rate=10:duration=1",
            "-f", "lavfi", "-i", "sine=frequency=440:duration=1", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-movflags", "+faststart",
            Path.Combine(_dir, "plain.mp4")]);
        Assert.True(r.ExitCode == 0, r.StdErr);
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }

    private async Task<string> SignedCopyAsync(string name, C2paClaimSpec? spec = null)
    {
        var path = Path.Combine(_dir, name);
        File.Copy(Path.Combine(_dir, "plain.mp4"), path);
        using var key = C2paSigningKey.Development(DevCa);
        await C2paSigner.SignAsync(path, spec ?? C2paClaimSpec.ForGeneratedVideo("Test", When, userText: true, ["runway gen-4 scene 1"]), key);
        return path;
    }

    [Fact]
    public async Task SignAsync_ShortMp4_OurReaderFindsValidManifest()
    {
        var path = await SignedCopyAsync("signed.mp4");
        var summary = C2paReader.TryRead(path);
        Assert.NotNull(summary);
        Assert.True(summary.Valid, summary.ToString());
        Assert.StartsWith("urn:uuid:", summary.ManifestLabel);
        Assert.StartsWith("ViraLoop/", summary.ClaimGenerator);
        Assert.Equal("ViraLoop Development Signer", summary.Signer);
        Assert.Equal("ViraLoop Development Root CA", summary.Issuer);
        Assert.Equal(When, summary.SigningTime);
        Assert.Equal([C2paAction.Created, C2paAction.Edited], summary.Actions);
        Assert.Equal(C2paClaimSpec.TrainedAlgorithmicMedia, summary.DigitalSourceType);
        Assert.Equal(["User text", "runway gen-4 scene 1"], summary.Ingredients);
    }

    [Fact]
    public async Task SignAsync_ShortMp4_StillDecodesWithSameFrames()
    {
        var path = await SignedCopyAsync("decodes.mp4");
        static async Task<string> FramesMd5(string file)
        {
            var r = await Tools.RunAsync(Tools.Ffmpeg, ["-hide_banner", "-loglevel", "error", "-i", file, "-map", "0:v", "-f", "md5", "-"]);
            Assert.True(r.ExitCode == 0, r.StdErr);
            return r.StdOut.Trim();
        }
        Assert.Equal(await FramesMd5(Path.Combine(_dir, "plain.mp4")), await FramesMd5(path));
    }

    [Fact]
    public async Task SignAsync_SignedTwice_KeepsOneManifestAndStaysValid()
    {
        var path = await SignedCopyAsync("twice.mp4");
        using (var key = C2paSigningKey.Development(DevCa))
            await C2paSigner.SignAsync(path, C2paClaimSpec.ForGeneratedVideo("Again", When, userText: false, []), key);
        var summary = C2paReader.TryRead(path);
        Assert.NotNull(summary);
        Assert.True(summary.Valid, summary.ToString());
        Assert.Equal(C2paClaimSpec.AlgorithmicMedia, summary.DigitalSourceType);
        Assert.Empty(summary.Ingredients);
    }

    [Fact]
    public async Task TryRead_OneByteChangedInMdat_HashMismatch()
    {
        var path = await SignedCopyAsync("tampered.mp4");
        FlipByteInMdat(path);
        var summary = C2paReader.TryRead(path);
        Assert.NotNull(summary);
        Assert.True(summary.SignatureValid);
        Assert.False(summary.HashMatches);
        Assert.False(summary.Valid);
    }

    [Fact]
    public void TryRead_UnsignedMp4_Null() => Assert.Null(C2paReader.TryRead(Path.Combine(_dir, "plain.mp4")));

    [Fact]
    public async Task Verify_WasmReader_ValidTrustedAndHashMatches()
    {
        var path = await SignedCopyAsync("wasm.mp4");
        var report = await C2paVerifyTool.VerifyAsync(path, C2paSigningKey.DevelopmentRootPath(DevCa));
        output.WriteLine(report.ToString());
        Assert.True(report.Error is null, report.ToString());
        Assert.True(report.Failures.Count == 0, report.ToString());
        Assert.True(report.Trusted, report.ToString());
        Assert.True(report.HashMatches, report.ToString());
        Assert.Equal("Trusted", report.ValidationState);
    }

    [Fact]
    public async Task Verify_WasmReaderOneByteChangedInMdat_ReportsHashMismatch()
    {
        var path = await SignedCopyAsync("wasm-tampered.mp4");
        FlipByteInMdat(path);
        var report = await C2paVerifyTool.VerifyAsync(path, C2paSigningKey.DevelopmentRootPath(DevCa));
        Assert.Contains("assertion.bmffHash.mismatch", report.Failures);
        Assert.NotEqual("Trusted", report.ValidationState);
        Assert.False(C2paReader.TryRead(path)!.HashMatches);
    }

    [Fact]
    public async Task Load_KeyFromDevCaScript_WasmReaderTrustsItUnderItsRoot_AndNotUnderAnotherRoot()
    {
        var caDir = Path.Combine(_dir, "openssl-ca");
        var r = await Tools.RunAsync("bash", [Path.Combine(C2paVerifyTool.RepoRoot, "scripts", "dev-ca.sh"), caDir]);
        Assert.True(r.ExitCode == 0, r.StdErr);
        var path = Path.Combine(_dir, "openssl.mp4");
        File.Copy(Path.Combine(_dir, "plain.mp4"), path);
        using (var key = C2paSigningKey.LoadOrDevelopment(new C2paKeyOptions(Path.Combine(caDir, "signer.pem"), Path.Combine(caDir, "signer.key.pem"))))
            await C2paSigner.SignAsync(path, C2paClaimSpec.ForGeneratedVideo("openssl", When, userText: false, []), key);

        var trusted = await C2paVerifyTool.VerifyAsync(path, Path.Combine(caDir, "root.pem"));
        Assert.True(trusted.Trusted && trusted.HashMatches && trusted.Failures.Count == 0, trusted.ToString());
        C2paSigningKey.Development(DevCa).Dispose(); // another root: the C# development CA
        var untrusted = await C2paVerifyTool.VerifyAsync(path, C2paSigningKey.DevelopmentRootPath(DevCa));
        Assert.False(untrusted.Trusted, untrusted.ToString());
        Assert.Contains("signingCredential.untrusted", untrusted.Failures);
    }

    [Fact]
    public void LoadOrDevelopment_OnlyCertificateGiven_SaysBothAreNeeded()
    {
        var e = Assert.Throws<InvalidOperationException>(() => C2paSigningKey.LoadOrDevelopment(new C2paKeyOptions("signer.pem", null)));
        Assert.Contains("C2paKey", e.Message);
    }

    /// <summary>Changes one byte in the middle of the media data.</summary>
    internal static void FlipByteInMdat(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var mdat = Bmff.Boxes(bytes, 0, bytes.Length).Single(b => b.Type == "mdat");
        bytes[mdat.Offset + mdat.Size / 2] ^= 0x01;
        File.WriteAllBytes(path, bytes);
    }
}
