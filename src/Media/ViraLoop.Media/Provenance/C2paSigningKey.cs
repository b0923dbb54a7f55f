using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ViraLoop.Media.Provenance;

/// <summary>Where the signing certificate and key come from: both paths (production), or neither (the development CA in <see cref="DevelopmentDirectory"/>).</summary>
public sealed record C2paKeyOptions(string? CertificatePath, string? KeyPath, string DevelopmentDirectory = C2paSigningKey.DefaultDevelopmentDirectory);

/// <summary>
/// An ES256 signing key and its certificate chain (signing certificate first, the root last when known). Production keys
/// come from PEM files named by configuration (<see cref="Load"/>); without them <see cref="Development"/> makes, once, a
/// local development CA and a signing certificate with the extensions C2PA asks of one.
/// </summary>
public sealed class C2paSigningKey : IDisposable
{
    public const string DefaultDevelopmentDirectory = ".viraloop/dev-ca";
    public const string RootCertificateFile = "root.pem", RootKeyFile = "root.key.pem", CertificateFile = "signer.pem", KeyFile = "signer.key.pem";

    /// <summary>emailProtection: one of the extended key usages C2PA validators accept on a signing certificate.</summary>
    public const string EmailProtectionEku = "1.3.6.1.5.5.7.3.4";

    private C2paSigningKey(ECDsa key, X509Certificate2Collection chain)
    {
        Key = key;
        Chain = chain;
    }

    public ECDsa Key { get; }

    /// <summary>The signing certificate first, then its issuers as the PEM file gave them.</summary>
    public X509Certificate2Collection Chain { get; }

    public X509Certificate2 Certificate => Chain[0];

    /// <summary>The certificates x5chain carries: the signing certificate and intermediates, not a self-signed root (the validator's trust anchor).</summary>
    internal IEnumerable<X509Certificate2> ChainForSignature => Chain.Where((c, i) => i == 0 || c.SubjectName.RawData.AsSpan().SequenceEqual(c.IssuerName.RawData) is false);

    /// <summary>A signing certificate (PEM, optionally followed by its intermediates) and its P-256 private key (PEM, PKCS#8 or SEC1).</summary>
    public static C2paSigningKey Load(string certPemPath, string keyPemPath)
    {
        var chain = new X509Certificate2Collection();
        chain.ImportFromPemFile(certPemPath);
        if (chain.Count == 0) throw new InvalidOperationException($"No certificate in {certPemPath}.");
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(File.ReadAllText(keyPemPath));
            if (key.KeySize != 256) throw new InvalidOperationException($"The C2PA key in {keyPemPath} is not a P-256 key (ES256).");
            using var certKey = chain[0].GetECDsaPublicKey() ?? throw new InvalidOperationException($"The certificate in {certPemPath} has no EC public key.");
            if (!certKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.ExportSubjectPublicKeyInfo()))
                throw new InvalidOperationException($"The key in {keyPemPath} does not belong to the certificate in {certPemPath}.");
            return new C2paSigningKey(key, chain);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>The configured key when both paths are given, else the development CA's; one path without the other is an error.</summary>
    public static C2paSigningKey LoadOrDevelopment(C2paKeyOptions options)
    {
        bool cert = !string.IsNullOrWhiteSpace(options.CertificatePath), key = !string.IsNullOrWhiteSpace(options.KeyPath);
        if (cert && key) return Load(options.CertificatePath!, options.KeyPath!);
        if (cert || key) throw new InvalidOperationException("C2PA signing needs both ViraLoop:C2paCertificate and ViraLoop:C2paKey (PEM files), or neither for the development CA.");
        return Development(options.DevelopmentDirectory);
    }

    /// <summary>
    /// The development signing key in <paramref name="directory"/>, made there the first time: a root CA (P-256, CA, keyCertSign)
    /// and a signing certificate it issued (P-256, not a CA, digitalSignature, emailProtection, key identifiers), as PEM files.
    /// Processes racing to make it agree on one (each writes a directory of its own and renames it into place).
    /// </summary>
    public static C2paSigningKey Development(string directory = DefaultDevelopmentDirectory)
    {
        var dir = Path.GetFullPath(directory);
        if (!File.Exists(Path.Combine(dir, KeyFile)))
        {
            var parent = Path.GetDirectoryName(dir)!;
            Directory.CreateDirectory(parent);
            var temp = Path.Combine(parent, $".dev-ca-{Guid.NewGuid():N}");
            Directory.CreateDirectory(temp);
            try
            {
                WriteDevelopmentCa(temp, DateTimeOffset.UtcNow);
                try { Directory.Move(temp, dir); }
                catch (IOException) when (File.Exists(Path.Combine(dir, KeyFile))) { } // another process made it first
            }
            finally
            {
                if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
            }
        }
        var chainPath = Path.Combine(dir, CertificateFile);
        var signer = Load(chainPath, Path.Combine(dir, KeyFile));
        var root = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(dir, RootCertificateFile)));
        signer.Chain.Add(root);
        return signer;
    }

    /// <summary>The development root's certificate (PEM path), the trust anchor a validator is given.</summary>
    public static string DevelopmentRootPath(string directory = DefaultDevelopmentDirectory) => Path.Combine(Path.GetFullPath(directory), RootCertificateFile);

    private static void WriteDevelopmentCa(string dir, DateTimeOffset now)
    {
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var rootRequest = new CertificateRequest("CN=ViraLoop Development Root CA, O=ViraLoop (development)", rootKey, HashAlgorithmName.SHA256);
        rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        rootRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var rootSki = new X509SubjectKeyIdentifierExtension(rootRequest.PublicKey, false);
        rootRequest.CertificateExtensions.Add(rootSki);
        using var root = rootRequest.CreateSelfSigned(now.AddDays(-1), now.AddYears(10));

        using var signerKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=ViraLoop Development Signer, O=ViraLoop (development)", signerKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(EmailProtectionEku)], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(rootSki));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var signer = request.Create(root, now.AddDays(-1), now.AddYears(5), serial);

        File.WriteAllText(Path.Combine(dir, RootCertificateFile), root.ExportCertificatePem() + "\n");
        File.WriteAllText(Path.Combine(dir, RootKeyFile), rootKey.ExportPkcs8PrivateKeyPem() + "\n");
        File.WriteAllText(Path.Combine(dir, CertificateFile), signer.ExportCertificatePem() + "\n");
        File.WriteAllText(Path.Combine(dir, KeyFile), signerKey.ExportPkcs8PrivateKeyPem() + "\n");
    }

    public void Dispose()
    {
        Key.Dispose();
        foreach (var c in Chain) c.Dispose();
    }
}
