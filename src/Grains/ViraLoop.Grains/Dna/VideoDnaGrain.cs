using ViraLoop.Media.Dna;

namespace ViraLoop.Grains.Dna;

/// <summary>
/// A tenant's DNA index (see <see cref="IVideoDnaGrain"/>). The vectors are the persisted truth; the HNSW graph is only
/// memory, built again from them when the grain activates, so a crash loses nothing the state held.
/// </summary>
public sealed class VideoDnaGrain([PersistentState("video-dna")] IPersistentState<VideoDnaState> state) : Grain, IVideoDnaGrain
{
    private readonly DnaIndex _index = new();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        foreach (var (id, vector) in state.State.Vectors) _index.Add(id, vector);
        return base.OnActivateAsync(cancellationToken);
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _index.Dispose();
        return base.OnDeactivateAsync(reason, cancellationToken);
    }

    public async Task Add(string videoId, float[] vector)
    {
        if (!Messages.JobKeys.IsValidPart(videoId)) throw new ArgumentException($"'{videoId}' is not a video id.");
        if (state.State.Vectors.TryGetValue(videoId, out var kept) && kept.AsSpan().SequenceEqual(vector)) return;
        _index.Add(videoId, vector); // checks the length and that it is not zero before anything is written
        state.State.Vectors[videoId] = vector;
        await state.WriteStateAsync();
    }

    public Task<IReadOnlyList<DnaNeighbour>?> FindSimilar(string videoId, int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(k, DnaLimits.MaxSimilar);
        if (!state.State.Vectors.TryGetValue(videoId, out var own)) return Task.FromResult<IReadOnlyList<DnaNeighbour>?>(null);
        // Exact below a few thousand videos (a scan of 1 KB vectors is cheaper than the graph's misses); the graph above.
        var found = _index.Count <= ExactBelow ? _index.ExactSearch(own, k + 1) : _index.Search(own, k + 1);
        IReadOnlyList<DnaNeighbour> similar = found.Where(m => m.Id != videoId).Take(k).Select(m => Neighbour(own, m)).ToList();
        return Task.FromResult<IReadOnlyList<DnaNeighbour>?>(similar);
    }

    public Task<DnaNeighbour?> NearDuplicate(float[] vector, string? excludeVideoId, float threshold = DnaIndex.DefaultNearDuplicateThreshold)
    {
        if (threshold is <= 0 or > 1) throw new ArgumentException($"The threshold is a cosine in (0, 1], not {threshold}.");
        return Task.FromResult(_index.NearDuplicate(vector, threshold, excludeVideoId) is { } m ? Neighbour(vector, m) : null);
    }

    public Task<int> Count() => Task.FromResult(_index.Count);

    /// <summary>Index sizes up to which <see cref="FindSimilar"/> scans every vector.</summary>
    private const int ExactBelow = 4096;

    private DnaNeighbour Neighbour(ReadOnlySpan<float> query, DnaMatch match)
    {
        var (colour, motion, audio, script) = VideoDna.BlockSimilarities(query, state.State.Vectors[match.Id]);
        return new DnaNeighbour(match.Id, Round(match.Similarity), Round(colour), Round(motion), Round(audio), Round(script));
    }

    private static double Round(float cosine) => Math.Round(cosine, 4);
}

[GenerateSerializer, Alias("vl.video-dna-state")]
public sealed class VideoDnaState
{
    /// <summary>Video id → its DNA as computed (256 floats).</summary>
    [Id(0)] public Dictionary<string, float[]> Vectors { get; set; } = new(StringComparer.Ordinal);
}
