namespace ViraLoop.Media.Provenance;

/// <summary>
/// What <see cref="C2paReader"/> found in a file's C2PA manifest: who signed it (subject and issuer common names), when,
/// the actions, the digital source type of <c>c2pa.created</c>, the ingredients' titles, and whether the signature verifies
/// (<see cref="SignatureValid"/>: COSE ES256 over the claim with the certificate's key; it says nothing about trust) and the
/// file's bytes still hash to the claimed value (<see cref="HashMatches"/>).
/// </summary>
public sealed record C2paSummary(
    string ManifestLabel,
    string ClaimGenerator,
    string Signer,
    string Issuer,
    DateTimeOffset? SigningTime,
    IReadOnlyList<string> Actions,
    string? DigitalSourceType,
    IReadOnlyList<string> Ingredients,
    bool SignatureValid,
    bool HashMatches,
    bool AssertionsMatch)
{
    /// <summary>Signature verifies, the file's hash matches, every assertion matches the claim's hash of it.</summary>
    public bool Valid => SignatureValid && HashMatches && AssertionsMatch;
}
