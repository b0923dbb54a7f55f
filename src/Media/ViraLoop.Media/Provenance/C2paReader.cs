using System.Formats.Cbor;
using System.Security.Cryptography;
using System.Security.Cryptography.Cose;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace ViraLoop.Media.Provenance;

/// <summary>
/// Our own reader of the C2PA manifests <see cref="C2paSigner"/> writes, for summaries (manifest.json, the API, <c>viraloop
/// verify</c>): it finds the active manifest, checks the COSE signature against the certificate it carries, the claim's
/// hashes of its assertions and the <c>c2pa.hash.bmff.v2</c> hash of the file. It does not judge trust; an independent
/// validator (c2pa-rs, tests/c2pa-verify) does that.
/// </summary>
public static class C2paReader
{
    /// <summary>The summary of the file's active manifest, or null when the file is not an MP4 or carries no C2PA box.</summary>
    public static C2paSummary? TryRead(string path)
    {
        byte[] data;
        try { data = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
        return TryRead(data);
    }

    /// <summary>The bytes of the file's C2PA manifest store (JUMBF, what <c>application/c2pa</c> serves), or null when it has none.</summary>
    public static byte[]? TryReadManifestStore(string path)
    {
        byte[] data;
        try { data = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
        try { return StoreOf(data) is { } store ? store.Bytes.ToArray() : null; }
        catch (InvalidDataException) { return null; }
    }

    /// <summary>The manifest store in the file's C2PA box, or null when there is no such box (throws on a malformed one).</summary>
    private static JumbfBox? StoreOf(byte[] data)
    {
        List<BmffBox> boxes;
        try { boxes = Bmff.Boxes(data, 0, data.Length); }
        catch (InvalidDataException) { return null; }
        var box = boxes.FirstOrDefault(b => Bmff.IsC2pa(data, b));
        if (box == default) return null;
        int at = (int)box.PayloadOffset + 4; // version and flags
        int nul = Array.IndexOf(data, (byte)0, at, (int)(box.End - at));
        if (nul < 0 || Encoding.ASCII.GetString(data, at, nul - at) != "manifest") return null;
        at = nul + 1 + 8; // the merkle offset
        return Jumbf.Parse(data.AsMemory(at, (int)(box.End - at)));
    }

    internal static C2paSummary? TryRead(byte[] data)
    {
        try
        {
            return StoreOf(data) is { } store ? Summarize(data, store) : null;
        }
        catch (Exception e) when (e is InvalidDataException or CborContentException or InvalidOperationException or CryptographicException or ArgumentException or FormatException or InvalidCastException or KeyNotFoundException)
        {
            return null;
        }
    }

    private static C2paSummary? Summarize(byte[] data, JumbfBox store)
    {
        if (store.Label != "c2pa") return null;
        var manifest = store.Children.LastOrDefault(c => c.Type == "jumb");
        if (manifest?.Label is not { } label) return null;
        var claimBox = manifest.Child("c2pa.claim") ?? throw new InvalidDataException("No claim.");
        var signatureBox = manifest.Child("c2pa.signature") ?? throw new InvalidDataException("No signature.");
        var assertionStore = manifest.Child("c2pa.assertions") ?? throw new InvalidDataException("No assertion store.");
        var claimBytes = claimBox.Content.ToArray();
        var claim = ReadMap(claimBytes);

        // Signature: COSE_Sign1 over the claim, with the key of the first x5chain certificate.
        var message = CoseMessage.DecodeSign1(signatureBox.Content.Span);
        var certBytes = FirstCertificate(message);
        using var cert = X509CertificateLoader.LoadCertificate(certBytes);
        using var publicKey = cert.GetECDsaPublicKey() ?? throw new InvalidDataException("The signing certificate has no EC key.");
        bool signatureValid = message.VerifyDetached(publicKey, claimBytes);

        // Every assertion the claim lists must hash to what the claim says.
        bool assertionsMatch = true;
        var assertions = new Dictionary<string, Dictionary<string, object?>>();
        foreach (var reference in (List<object?>)claim["assertions"]!)
        {
            var map = (Dictionary<string, object?>)reference!;
            var url = (string)map["url"]!;
            var name = url[(url.LastIndexOf('/') + 1)..];
            var assertion = assertionStore.Child(name);
            if (assertion is null) { assertionsMatch = false; continue; }
            if (!SHA256.HashData(assertion.Bytes.Span[8..]).AsSpan().SequenceEqual((byte[])map["hash"]!)) assertionsMatch = false;
            assertions[name] = ReadMap(assertion.Content.ToArray());
        }

        bool hashMatches = assertions.TryGetValue("c2pa.hash.bmff.v2", out var bmff)
            && bmff["hash"] is byte[] claimed && Bmff.Hash(data).AsSpan().SequenceEqual(claimed);

        var actions = assertions.TryGetValue("c2pa.actions", out var a) ? ((List<object?>)a["actions"]!).Cast<Dictionary<string, object?>>().ToList() : [];
        var created = actions.FirstOrDefault(x => (string?)x["action"] == C2paAction.Created);
        DateTimeOffset? when = created?.GetValueOrDefault("when") is string w && DateTimeOffset.TryParse(w, out var t) ? t : null;
        var ingredients = assertions.Where(p => p.Key.StartsWith("c2pa.ingredient", StringComparison.Ordinal))
            .Select(p => p.Value.GetValueOrDefault("dc:title") as string ?? "").ToList();

        return new C2paSummary(label, claim.GetValueOrDefault("claim_generator") as string ?? "",
            C2paSigner.CommonName(cert.SubjectName.Name), C2paSigner.CommonName(cert.IssuerName.Name), when,
            actions.Select(x => (string)x["action"]!).ToList(), created?.GetValueOrDefault("digitalSourceType") as string, ingredients,
            signatureValid, hashMatches, assertionsMatch);
    }

    private static byte[] FirstCertificate(CoseSign1Message message)
    {
        var label = new CoseHeaderLabel(33);
        if (!message.ProtectedHeaders.TryGetValue(label, out var value) && !message.UnprotectedHeaders.TryGetValue(label, out value))
            throw new InvalidDataException("The signature carries no x5chain.");
        var r = new CborReader(value.EncodedValue);
        if (r.PeekState() == CborReaderState.StartArray) r.ReadStartArray();
        return r.ReadByteString();
    }

    private static Dictionary<string, object?> ReadMap(byte[] cbor)
    {
        var r = new CborReader(cbor, CborConformanceMode.Lax);
        return (Dictionary<string, object?>)ReadValue(r)!;
    }

    private static object? ReadValue(CborReader r)
    {
        switch (r.PeekState())
        {
            case CborReaderState.StartMap:
                var map = new Dictionary<string, object?>();
                r.ReadStartMap();
                while (r.PeekState() != CborReaderState.EndMap)
                {
                    var key = r.PeekState() == CborReaderState.TextString ? r.ReadTextString() : ReadValue(r)?.ToString() ?? "";
                    map[key] = ReadValue(r);
                }
                r.ReadEndMap();
                return map;
            case CborReaderState.StartArray:
                var list = new List<object?>();
                r.ReadStartArray();
                while (r.PeekState() != CborReaderState.EndArray) list.Add(ReadValue(r));
                r.ReadEndArray();
                return list;
            case CborReaderState.TextString: return r.ReadTextString();
            case CborReaderState.ByteString: return r.ReadByteString();
            case CborReaderState.UnsignedInteger or CborReaderState.NegativeInteger: return r.ReadInt64();
            case CborReaderState.Boolean: return r.ReadBoolean();
            case CborReaderState.Null: r.ReadNull(); return null;
            case CborReaderState.Tag: r.ReadTag(); return ReadValue(r);
            default: r.SkipValue(); return null;
        }
    }
}
