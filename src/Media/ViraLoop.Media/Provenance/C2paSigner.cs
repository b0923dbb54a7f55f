using System.Buffers.Binary;
using System.Formats.Cbor;
using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Security.Cryptography.Cose;
using System.Text;
using ViraLoop.Media.Storage;

namespace ViraLoop.Media.Provenance;

/// <summary>What signing wrote: the manifest's label (<c>urn:uuid:…</c>), the signing certificate's subject and issuer, the C2PA box's size.</summary>
public sealed record C2paSignResult(string ManifestLabel, string Signer, string Issuer, DateTimeOffset SigningTime, IReadOnlyList<string> Actions, long BoxBytes);

/// <summary>
/// Embeds a signed C2PA manifest store in an MP4: a top-level <c>uuid</c> box (C2PA's UUID, purpose <c>manifest</c>) right
/// after <c>ftyp</c>, holding one manifest whose v1 claim lists <c>c2pa.actions</c>, an ingredient assertion per ingredient
/// and a <c>c2pa.hash.bmff.v2</c> hard binding, signed with COSE_Sign1 (ES256, x5chain). Two passes: a box of a reserved
/// size goes in first (chunk offsets moved past it), the file is hashed without it, then the signed store fills it.
/// </summary>
public static class C2paSigner
{
    public const string ClaimGeneratorName = "ViraLoop";
    private const string Purpose = "manifest";
    private const int Es256 = -7, X5Chain = 33;

    /// <summary>"ViraLoop/&lt;version&gt;", the claim generator every manifest names.</summary>
    public static string ClaimGenerator { get; } = $"{ClaimGeneratorName}/{Version}";

    private static string Version =>
        (typeof(C2paSigner).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "1.0.0").Split('+')[0];

    public static async Task<C2paSignResult> SignAsync(string mp4Path, C2paClaimSpec spec, C2paSigningKey key, CancellationToken cancellationToken = default)
    {
        if (spec.Actions.Count == 0 || spec.Actions[0].Action != C2paAction.Created)
            throw new ArgumentException("A generated video's first action is c2pa.created.", nameof(spec));
        var original = await File.ReadAllBytesAsync(mp4Path, cancellationToken);
        var manifestLabel = $"urn:uuid:{Guid.NewGuid()}";
        var instanceId = $"xmp:iid:{Guid.NewGuid()}";
        var ingredientIds = spec.Ingredients.Select(_ => $"xmp:iid:{Guid.NewGuid()}").ToList();

        // Pass 1: how big the store is (every field has a fixed size but the hash and signature, sized by dummies), reserve that and a margin.
        var probe = BuildStore(spec, key, manifestLabel, instanceId, ingredientIds, new byte[32]);
        int reserved = probe.Length + 256;
        var file = Layout(original, reserved);

        // Pass 2: hash the laid-out file (the C2PA box is excluded, so its contents do not matter yet), sign, fill the box.
        var hash = Bmff.Hash(file.Bytes);
        var store = BuildStore(spec, key, manifestLabel, instanceId, ingredientIds, hash);
        if (store.Length > reserved) throw new InvalidOperationException($"The C2PA manifest store grew to {store.Length} bytes; {reserved} were reserved.");
        store.CopyTo(file.Bytes, file.StoreOffset);

        await AtomicFile.WriteAsync(mp4Path, file.Bytes, cancellationToken);
        var when = spec.When.ToUniversalTime();
        return new C2paSignResult(manifestLabel, CommonName(key.Certificate.SubjectName.Name), CommonName(key.Certificate.IssuerName.Name),
            when.AddTicks(-(when.Ticks % TimeSpan.TicksPerSecond)), // as the actions record it: whole seconds
            spec.Actions.Select(a => a.Action).ToList(), file.BoxBytes);
    }

    internal static string CommonName(string distinguishedName) =>
        distinguishedName.Split(',').Select(p => p.Trim()).FirstOrDefault(p => p.StartsWith("CN=", StringComparison.Ordinal))?[3..] ?? distinguishedName;

    private sealed record LaidOut(byte[] Bytes, int StoreOffset, long BoxBytes);

    /// <summary>ftyp, a zeroed C2PA box with room for <paramref name="storeBytes"/>, then the other boxes (any earlier C2PA box dropped), chunk offsets moved.</summary>
    private static LaidOut Layout(byte[] original, int storeBytes)
    {
        var boxes = Bmff.Boxes(original, 0, original.Length);
        if (boxes.Count == 0 || boxes[0].Type != "ftyp") throw new InvalidDataException("Not an MP4: the file does not start with an 'ftyp' box.");
        var purpose = Encoding.ASCII.GetBytes(Purpose + "\0");
        int headerBytes = 8 + 16 + 4 + purpose.Length + 8;
        int boxSize = headerBytes + storeBytes;
        var kept = boxes.Skip(1).Where(b => !Bmff.IsC2pa(original, b)).ToList();
        long total = boxes[0].Size + boxSize + kept.Sum(b => b.Size);
        var bytes = new byte[total];

        int at = (int)boxes[0].Size;
        original.AsSpan(0, at).CopyTo(bytes);
        var box = bytes.AsSpan(at, boxSize);
        BinaryPrimitives.WriteUInt32BigEndian(box, (uint)boxSize);
        Encoding.ASCII.GetBytes("uuid", box[4..]);
        Bmff.C2paUuid.CopyTo(box[8..]);
        // 4 bytes version and flags (0), the purpose, an 8-byte merkle offset (0: none); the store follows.
        purpose.CopyTo(box[28..]);
        int storeOffset = at + headerBytes;
        at += boxSize;

        var moves = new List<(long OldStart, long OldEnd, long NewStart)>();
        foreach (var b in kept)
        {
            original.AsSpan((int)b.Offset, (int)b.Size).CopyTo(bytes.AsSpan(at));
            moves.Add((b.Offset, b.End, at));
            at += (int)b.Size;
        }
        long Move(long offset)
        {
            foreach (var (oldStart, oldEnd, newStart) in moves)
                if (offset >= oldStart && offset < oldEnd) return offset - oldStart + newStart;
            throw new InvalidDataException($"A chunk offset ({offset}) points outside the file's boxes.");
        }
        foreach (var b in kept.Where(b => b.Type == "moov"))
        {
            long newStart = moves.First(m => m.OldStart == b.Offset).NewStart;
            Bmff.MoveChunkOffsets(bytes, newStart + b.HeaderSize, newStart + b.Size, Move);
        }
        return new LaidOut(bytes, storeOffset, boxSize);
    }

    private static byte[] BuildStore(C2paClaimSpec spec, C2paSigningKey key, string manifestLabel, string instanceId, IReadOnlyList<string> ingredientIds, byte[] hash)
    {
        var assertions = new List<(string Label, byte[] Box)>
        {
            ("c2pa.actions", Jumbf.CborBox(Jumbf.CborType, "c2pa.actions", ActionsCbor(spec))),
        };
        for (int i = 0; i < spec.Ingredients.Count; i++)
        {
            var label = i == 0 ? "c2pa.ingredient" : $"c2pa.ingredient__{i}";
            assertions.Add((label, Jumbf.CborBox(Jumbf.CborType, label, IngredientCbor(spec.Ingredients[i], ingredientIds[i]))));
        }
        assertions.Add(("c2pa.hash.bmff.v2", Jumbf.CborBox(Jumbf.CborType, "c2pa.hash.bmff.v2", BmffHashCbor(hash))));

        var claim = ClaimCbor(spec, instanceId, assertions);
        var signature = Sign(claim, key);
        var manifest = Jumbf.Superbox(Jumbf.ManifestType, manifestLabel,
            Jumbf.Superbox(Jumbf.AssertionStoreType, "c2pa.assertions", assertions.Select(a => a.Box)),
            Jumbf.CborBox(Jumbf.ClaimType, "c2pa.claim", claim),
            Jumbf.CborBox(Jumbf.SignatureType, "c2pa.signature", signature));
        return Jumbf.Superbox(Jumbf.ManifestStoreType, "c2pa", manifest);
    }

    private static byte[] ClaimCbor(C2paClaimSpec spec, string instanceId, IReadOnlyList<(string Label, byte[] Box)> assertions)
    {
        var w = new CborWriter();
        w.WriteStartMap(null);
        w.WriteTextString("dc:title"); w.WriteTextString(spec.Title);
        w.WriteTextString("dc:format"); w.WriteTextString(spec.Format);
        w.WriteTextString("instanceID"); w.WriteTextString(instanceId);
        w.WriteTextString("claim_generator"); w.WriteTextString(ClaimGenerator);
        w.WriteTextString("claim_generator_info");
        w.WriteStartArray(1);
        w.WriteStartMap(2);
        w.WriteTextString("name"); w.WriteTextString(ClaimGeneratorName);
        w.WriteTextString("version"); w.WriteTextString(Version);
        w.WriteEndMap();
        w.WriteEndArray();
        w.WriteTextString("signature"); w.WriteTextString("self#jumbf=c2pa.signature");
        w.WriteTextString("assertions");
        w.WriteStartArray(assertions.Count);
        foreach (var (label, box) in assertions)
        {
            w.WriteStartMap(2);
            w.WriteTextString("url"); w.WriteTextString($"self#jumbf=c2pa.assertions/{label}");
            w.WriteTextString("hash"); w.WriteByteString(SHA256.HashData(Jumbf.HashedBytes(box)));
            w.WriteEndMap();
        }
        w.WriteEndArray();
        w.WriteTextString("alg"); w.WriteTextString("sha256");
        w.WriteEndMap();
        return w.Encode();
    }

    private static byte[] ActionsCbor(C2paClaimSpec spec)
    {
        var w = new CborWriter();
        w.WriteStartMap(1);
        w.WriteTextString("actions");
        w.WriteStartArray(spec.Actions.Count);
        foreach (var a in spec.Actions)
        {
            w.WriteStartMap(null);
            w.WriteTextString("action"); w.WriteTextString(a.Action);
            w.WriteTextString("when"); w.WriteTextString(spec.When.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            w.WriteTextString("softwareAgent"); w.WriteTextString(ClaimGenerator);
            if (a.DigitalSourceType is { } source) { w.WriteTextString("digitalSourceType"); w.WriteTextString(source); }
            if (a.Description is { } description)
            {
                w.WriteTextString("parameters");
                w.WriteStartMap(1);
                w.WriteTextString("description"); w.WriteTextString(description);
                w.WriteEndMap();
            }
            w.WriteEndMap();
        }
        w.WriteEndArray();
        w.WriteEndMap();
        return w.Encode();
    }

    private static byte[] IngredientCbor(C2paIngredient ingredient, string instanceId)
    {
        var w = new CborWriter();
        w.WriteStartMap(4);
        w.WriteTextString("dc:title"); w.WriteTextString(ingredient.Title);
        w.WriteTextString("dc:format"); w.WriteTextString(ingredient.Format);
        w.WriteTextString("instanceID"); w.WriteTextString(instanceId);
        w.WriteTextString("relationship"); w.WriteTextString(ingredient.Relationship);
        w.WriteEndMap();
        return w.Encode();
    }

    private static byte[] BmffHashCbor(byte[] hash)
    {
        var w = new CborWriter();
        w.WriteStartMap(4);
        w.WriteTextString("exclusions");
        w.WriteStartArray(1 + Bmff.ExcludedTopLevel.Length);
        w.WriteStartMap(2);
        w.WriteTextString("xpath"); w.WriteTextString("/uuid");
        w.WriteTextString("data");
        w.WriteStartArray(1);
        w.WriteStartMap(2);
        w.WriteTextString("offset"); w.WriteInt32(8);
        w.WriteTextString("value"); w.WriteByteString(Bmff.C2paUuid);
        w.WriteEndMap();
        w.WriteEndArray();
        w.WriteEndMap();
        foreach (var box in Bmff.ExcludedTopLevel)
        {
            w.WriteStartMap(1);
            w.WriteTextString("xpath"); w.WriteTextString("/" + box);
            w.WriteEndMap();
        }
        w.WriteEndArray();
        w.WriteTextString("alg"); w.WriteTextString("sha256");
        w.WriteTextString("hash"); w.WriteByteString(hash);
        w.WriteTextString("name"); w.WriteTextString("jumbf manifest");
        w.WriteEndMap();
        return w.Encode();
    }

    /// <summary>COSE_Sign1 (tagged) over the claim as detached payload: ES256, x5chain in the protected header.</summary>
    private static byte[] Sign(byte[] claim, C2paSigningKey key)
    {
        var chain = key.ChainForSignature.ToList();
        var x5 = new CborWriter();
        if (chain.Count == 1)
        {
            x5.WriteByteString(chain[0].RawData);
        }
        else
        {
            x5.WriteStartArray(chain.Count);
            foreach (var c in chain) x5.WriteByteString(c.RawData);
            x5.WriteEndArray();
        }
        var protectedHeaders = new CoseHeaderMap
        {
            [CoseHeaderLabel.Algorithm] = CoseHeaderValue.FromInt32(Es256),
            [new CoseHeaderLabel(X5Chain)] = CoseHeaderValue.FromEncodedValue(x5.Encode()),
        };
        var signer = new CoseSigner(key.Key, HashAlgorithmName.SHA256, protectedHeaders);
        return CoseSign1Message.SignDetached(claim, signer);
    }
}
