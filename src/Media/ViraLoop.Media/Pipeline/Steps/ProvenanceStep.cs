using ViraLoop.Media.Provenance;
using ViraLoop.Media.Visuals;

namespace ViraLoop.Media.Pipeline.Steps;

/// <summary>The MP4 to sign in place, what its claim says, and where the signing key comes from.</summary>
public sealed record ProvenanceSpec(string VideoPath, C2paClaimSpec Claim, C2paKeyOptions Key);

/// <summary>What was signed: the manifest's label, signer, issuer, time and actions (manifest.json's <c>provenance</c> section).</summary>
public sealed record ProvenanceResult(C2paSignResult Signed);

/// <summary>
/// After the render and the flash check, before HLS: embeds a signed C2PA manifest in the MP4 (<see cref="C2paSigner"/>),
/// so every video the pipeline delivers says it was generated, by whom, from what.
/// </summary>
public sealed class ProvenanceStep
{
    public async Task<ProvenanceResult> RunAsync(ProvenanceSpec spec, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(spec.VideoPath)) throw new FileNotFoundException($"There is no video to sign at {spec.VideoPath}.", spec.VideoPath);
        using var key = C2paSigningKey.LoadOrDevelopment(spec.Key);
        return new ProvenanceResult(await C2paSigner.SignAsync(spec.VideoPath, spec.Claim, key, cancellationToken));
    }

    /// <summary>
    /// A generated video's claim: the user's own text is an ingredient when given; every scene drawn from a remote model's
    /// clip makes the video trained algorithmic media and adds the clip as an ingredient.
    /// </summary>
    public static C2paClaimSpec ClaimFor(VideoRequest request, Script script, IReadOnlyList<SceneVisual> visuals, bool captionsBurned, DateTimeOffset when) =>
        C2paClaimSpec.ForGeneratedVideo(script.Title, when, userText: request.Text is not null || request.Scenes is not null,
            visuals.Select((v, i) => v.ClipPath is null ? null : $"scene {i + 1}: remote model output {Path.GetFileName(v.ClipPath)}").OfType<string>().ToList(),
            captionsBurned);

    /// <summary>manifest.json's <c>provenance</c> section.</summary>
    public static object Section(C2paSignResult signed) => new
    {
        standard = "C2PA",
        manifestLabel = signed.ManifestLabel,
        claimGenerator = C2paSigner.ClaimGenerator,
        signer = signed.Signer,
        issuer = signed.Issuer,
        signingTime = signed.SigningTime,
        actions = signed.Actions,
        hls = "hls/" + HlsStep.ProvenanceFile,
    };
}
