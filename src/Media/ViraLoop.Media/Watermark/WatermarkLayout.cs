namespace ViraLoop.Media.Watermark;

/// <summary>
/// One tile of the watermark, as the key lays it out: 32×32 cells, of which 336 are sync cells (a fixed ±1 from the key)
/// and 688 carry data (each of the 172 coded bits on 4 cells, spread by a key-derived permutation and multiplied by a
/// key-derived chip sign, so the data cells look random whatever the payload). Tiles repeat over the frame; a tile's side
/// is a quarter of the frame's height.
/// </summary>
internal sealed class WatermarkLayout
{
    public const int Cells = 32, CellCount = Cells * Cells, SyncCells = 336, DataCells = CellCount - SyncCells;
    public const int TilesPerHeight = 4;

    /// <summary>For every cell: its sync sign (±1), or 0 for a data cell.</summary>
    public sbyte[] Sync { get; } = new sbyte[CellCount];

    /// <summary>For every cell: the coded bit it carries, or −1 for a sync cell.</summary>
    public short[] Bit { get; } = new short[CellCount];

    /// <summary>For every data cell: its chip sign.</summary>
    public sbyte[] Chip { get; } = new sbyte[CellCount];

    public WatermarkLayout(WatermarkKey key)
    {
        var order = Enumerable.Range(0, CellCount).ToArray();
        key.Stream("layout/cells").Shuffle(order);
        var signs = key.Stream("layout/signs");
        for (int k = 0; k < CellCount; k++)
        {
            int cell = order[k];
            if (k < SyncCells)
            {
                Sync[cell] = signs.Sign();
                Bit[cell] = -1;
            }
            else
            {
                Bit[cell] = (short)((k - SyncCells) % PayloadCode.CodedBits);
                Chip[cell] = signs.Sign();
            }
        }
    }

    /// <summary>Each cell's sign (±1) for <paramref name="payload"/>: the sync sign, or the chip times the coded bit (1 → +1).</summary>
    public sbyte[] CellSigns(ulong payload)
    {
        var coded = PayloadCode.Encode(payload);
        var signs = new sbyte[CellCount];
        for (int c = 0; c < CellCount; c++)
            signs[c] = Bit[c] < 0 ? Sync[c] : (sbyte)(Chip[c] * (coded[Bit[c]] ? 1 : -1));
        return signs;
    }

    /// <summary>The cell shape: a raised bump, 1 at the cell's centre and 0 at its edges (<paramref name="f"/> in [0, 1)).</summary>
    public static double Shape(double f) => Math.Sin(Math.PI * f);
}
