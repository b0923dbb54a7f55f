namespace ViraLoop.Grains;

/// <summary>
/// One tenant's video DNA index (key: the tenant id): every finished video's DNA vector (256 floats, see
/// <see cref="ViraLoop.Media.Dna.VideoDna"/>), persisted, and an in-memory HNSW index over them rebuilt on activation.
/// Only that tenant's videos are ever in it, so nothing it answers names another tenant's video.
/// </summary>
public interface IVideoDnaGrain : IGrainWithStringKey
{
    /// <summary>Keeps the video's DNA (idempotent: adding it again replaces the vector, never a second entry). Bad vector: <see cref="ArgumentException"/>.</summary>
    Task Add(string videoId, float[] vector);

    /// <summary>
    /// The <paramref name="k"/> (1–50) videos most like <paramref name="videoId"/>, most similar first, itself left out;
    /// null when the video has no DNA here (not finished, or not this tenant's).
    /// </summary>
    Task<IReadOnlyList<DnaNeighbour>?> FindSimilar(string videoId, int k);

    /// <summary>
    /// The video most like <paramref name="vector"/> at or above <paramref name="threshold"/> (cosine), other than
    /// <paramref name="excludeVideoId"/>; null when none is that close.
    /// </summary>
    Task<DnaNeighbour?> NearDuplicate(float[] vector, string? excludeVideoId, float threshold = ViraLoop.Media.Dna.DnaIndex.DefaultNearDuplicateThreshold);

    /// <summary>How many videos the index holds.</summary>
    Task<int> Count();
}

/// <summary>
/// A video like another: its id, the cosine of the two DNAs, and each block's cosine alone (colour, motion, audio, script):
/// what made them alike.
/// </summary>
[GenerateSerializer, Immutable, Alias("vl.dna-neighbour")]
public sealed record DnaNeighbour(
    [property: Id(0)] string VideoId,
    [property: Id(1)] double Similarity,
    [property: Id(2)] double Colour,
    [property: Id(3)] double Motion,
    [property: Id(4)] double Audio,
    [property: Id(5)] double Script);

/// <summary>Limits of <see cref="IVideoDnaGrain.FindSimilar"/>.</summary>
public static class DnaLimits
{
    public const int MaxSimilar = 50;
    public const int DefaultSimilar = 10;
}
