using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace ViraLoop.Media.Provenance;

/// <summary>One ISO BMFF box: where it starts, its whole size, its type, the size of its header.</summary>
internal readonly record struct BmffBox(long Offset, long Size, string Type, int HeaderSize)
{
    public long End => Offset + Size;
    public long PayloadOffset => Offset + HeaderSize;
}

/// <summary>
/// The bits of ISO BMFF (MP4) that C2PA embedding needs: top-level boxes, the C2PA <c>uuid</c> box, chunk offsets
/// (<c>stco</c>/<c>co64</c>) to move when boxes before the media data grow, and the <c>c2pa.hash.bmff.v2</c> hash.
/// </summary>
internal static class Bmff
{
    /// <summary>The user type of C2PA's top-level <c>uuid</c> box.</summary>
    public static readonly byte[] C2paUuid = Convert.FromHexString("D8FEC3D61B0E483C92975828877EC481");

    /// <summary>Top-level boxes whose whole bytes the hash leaves out (besides the C2PA <c>uuid</c> box): they change when a manifest is added.</summary>
    public static readonly string[] ExcludedTopLevel = ["ftyp", "mfra"];

    private static readonly HashSet<string> Containers = ["moov", "trak", "mdia", "minf", "stbl", "edts", "mvex", "moof", "traf"];

    public static List<BmffBox> Boxes(ReadOnlySpan<byte> data, long start, long end)
    {
        var boxes = new List<BmffBox>();
        long pos = start;
        while (pos + 8 <= end)
        {
            long size = BinaryPrimitives.ReadUInt32BigEndian(data[(int)pos..]);
            var type = Encoding.Latin1.GetString(data.Slice((int)pos + 4, 4));
            int header = 8;
            if (size == 1)
            {
                if (pos + 16 > end) throw new InvalidDataException($"Truncated box header at {pos}.");
                size = (long)BinaryPrimitives.ReadUInt64BigEndian(data[(int)(pos + 8)..]);
                header = 16;
            }
            else if (size == 0)
            {
                size = end - pos;
            }
            if (type == "uuid") header += 16;
            if (size < header || pos + size > end) throw new InvalidDataException($"Box '{type}' at {pos} claims {size} bytes; only {end - pos} remain.");
            boxes.Add(new BmffBox(pos, size, type, header));
            pos += size;
        }
        if (pos != end) throw new InvalidDataException($"{end - pos} stray bytes after the last box at {pos}.");
        return boxes;
    }

    public static bool IsC2pa(ReadOnlySpan<byte> data, BmffBox box) =>
        box.Type == "uuid" && data.Slice((int)box.PayloadOffset - 16, 16).SequenceEqual(C2paUuid);

    /// <summary>
    /// SHA-256 as <c>c2pa.hash.bmff.v2</c> defines it for this file: the bytes of every top-level box except <c>ftyp</c>,
    /// <c>mfra</c> and C2PA's <c>uuid</c> box, each preceded by its offset in the file (8 bytes, big-endian).
    /// </summary>
    public static byte[] Hash(ReadOnlySpan<byte> data)
    {
        var boxes = Boxes(data, 0, data.Length);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var included = new List<BmffBox>();
        foreach (var b in boxes) if (!Excluded(data, b)) included.Add(b);
        // Offsets are hashed for boxes inside or between the hashed ranges (never before the first or after the last).
        long first = included.Count > 0 ? included[0].Offset : 0, last = included.Count > 0 ? included[^1].End : 0;
        Span<byte> offset = stackalloc byte[8];
        foreach (var box in boxes)
        {
            bool excluded = Excluded(data, box);
            if (!excluded || (box.Offset > first && box.Offset < last))
            {
                BinaryPrimitives.WriteUInt64BigEndian(offset, (ulong)box.Offset);
                sha.AppendData(offset);
            }
            if (!excluded) sha.AppendData(data.Slice((int)box.Offset, (int)box.Size));
        }
        return sha.GetHashAndReset();
    }

    private static bool Excluded(ReadOnlySpan<byte> data, BmffBox box) => ExcludedTopLevel.Contains(box.Type) || IsC2pa(data, box);

    /// <summary>Rewrites every chunk offset (<c>stco</c>, <c>co64</c>) in the boxes of <paramref name="data"/> within [start, end) through <paramref name="move"/>.</summary>
    public static void MoveChunkOffsets(Span<byte> data, long start, long end, Func<long, long> move)
    {
        foreach (var box in Boxes(data, start, end))
        {
            if (Containers.Contains(box.Type))
            {
                MoveChunkOffsets(data, box.PayloadOffset, box.End, move);
            }
            else if (box.Type is "stco" or "co64")
            {
                var body = data[(int)box.PayloadOffset..(int)box.End];
                uint count = BinaryPrimitives.ReadUInt32BigEndian(body[4..]);
                int width = box.Type == "stco" ? 4 : 8;
                if (8 + (long)count * width > body.Length) throw new InvalidDataException($"'{box.Type}' at {box.Offset} lists more entries than it holds.");
                for (int i = 0; i < count; i++)
                {
                    var entry = body.Slice(8 + i * width, width);
                    if (width == 4)
                    {
                        long moved = move(BinaryPrimitives.ReadUInt32BigEndian(entry));
                        if (moved > uint.MaxValue) throw new InvalidDataException("A chunk offset no longer fits 'stco' after adding the C2PA box; the file needs 'co64'.");
                        BinaryPrimitives.WriteUInt32BigEndian(entry, (uint)moved);
                    }
                    else
                    {
                        BinaryPrimitives.WriteUInt64BigEndian(entry, (ulong)move((long)BinaryPrimitives.ReadUInt64BigEndian(entry)));
                    }
                }
            }
        }
    }
}
