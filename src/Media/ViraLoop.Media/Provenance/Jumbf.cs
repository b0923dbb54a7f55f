using System.Buffers.Binary;
using System.Text;

namespace ViraLoop.Media.Provenance;

/// <summary>A JUMBF box as read: its label and content type (superboxes), children, its bytes and its payload (the bytes after its header).</summary>
internal sealed record JumbfBox(string Type, string? Label, byte[]? ContentType, IReadOnlyList<JumbfBox> Children, ReadOnlyMemory<byte> Bytes, ReadOnlyMemory<byte> Payload)
{
    public JumbfBox? Child(string label) => Children.FirstOrDefault(c => c.Label == label);

    /// <summary>The payload of the first content box (after the description box), e.g. a <c>cbor</c> box's CBOR.</summary>
    public ReadOnlyMemory<byte> Content => Children.FirstOrDefault(c => c.Type != "jumd" && c.Type != "jumb")?.Payload ?? ReadOnlyMemory<byte>.Empty;
}

/// <summary>
/// JUMBF (ISO/IEC 19566-5) as C2PA uses it: superboxes (<c>jumb</c>) that start with a description box (<c>jumd</c>:
/// content type UUID, toggles, label) followed by content boxes (<c>cbor</c>) or more superboxes.
/// </summary>
internal static class Jumbf
{
    private static byte[] Type(string fourCc) => Convert.FromHexString(Convert.ToHexString(Encoding.ASCII.GetBytes(fourCc)) + "00110010800000AA00389B71");

    public static readonly byte[] ManifestStoreType = Type("c2pa"), ManifestType = Type("c2ma"), AssertionStoreType = Type("c2as"),
        ClaimType = Type("c2cl"), SignatureType = Type("c2cs"), CborType = Type("cbor");

    public static byte[] Box(string type, params ReadOnlySpan<byte[]> parts)
    {
        long size = 8 + parts.ToArray().Sum(p => (long)p.Length);
        var box = new byte[size];
        BinaryPrimitives.WriteUInt32BigEndian(box, (uint)size);
        Encoding.ASCII.GetBytes(type, box.AsSpan(4));
        int at = 8;
        foreach (var p in parts) { p.CopyTo(box, at); at += p.Length; }
        return box;
    }

    /// <summary>The description box: content type, toggles 0x03 (requestable, labelled), the label NUL-terminated.</summary>
    public static byte[] Description(byte[] contentType, string label) =>
        Box("jumd", contentType, [0x03], Encoding.UTF8.GetBytes(label + "\0"));

    public static byte[] Superbox(byte[] contentType, string label, params IEnumerable<byte[]> children) =>
        Box("jumb", [Description(contentType, label), .. children]);

    public static byte[] CborBox(byte[] contentType, string label, byte[] cbor) => Superbox(contentType, label, Box("cbor", cbor));

    /// <summary>The bytes C2PA hashes to reference a box: the superbox's contents (description and content boxes), not its header.</summary>
    public static ReadOnlySpan<byte> HashedBytes(ReadOnlySpan<byte> superbox) => superbox[8..];

    public static JumbfBox Parse(ReadOnlyMemory<byte> data)
    {
        var span = data.Span;
        long size = BinaryPrimitives.ReadUInt32BigEndian(span);
        var type = Encoding.ASCII.GetString(span.Slice(4, 4));
        int header = 8;
        if (size == 1) { size = (long)BinaryPrimitives.ReadUInt64BigEndian(span[8..]); header = 16; }
        if (size < header || size > data.Length) throw new InvalidDataException($"JUMBF box '{type}' claims {size} bytes of {data.Length}.");
        var bytes = data[..(int)size];
        var payload = bytes[header..];
        if (type != "jumb") return new JumbfBox(type, null, null, [], bytes, payload);

        var children = new List<JumbfBox>();
        for (int at = 0; at < payload.Length;)
        {
            var child = Parse(payload[at..]);
            children.Add(child);
            at += child.Bytes.Length;
        }
        if (children.Count == 0 || children[0].Type != "jumd") throw new InvalidDataException("A JUMBF superbox without a description box.");
        var jumd = children[0].Payload.Span;
        byte toggles = jumd[16];
        string? label = null;
        if ((toggles & 0x02) != 0)
        {
            int end = jumd[17..].IndexOf((byte)0);
            if (end < 0) throw new InvalidDataException("A JUMBF label without its terminating NUL.");
            label = Encoding.UTF8.GetString(jumd.Slice(17, end));
        }
        return new JumbfBox(type, label, jumd[..16].ToArray(), children, bytes, payload);
    }
}
