using System.Text;

namespace ViraLoop.Media.Dna;

/// <summary>A video found by a query and its cosine similarity to the query.</summary>
public readonly record struct DnaMatch(string Id, float Similarity);

/// <summary>
/// An embedded approximate k-nearest-neighbour index of video DNAs under cosine similarity: a hierarchical navigable
/// small-world graph (HNSW, Malkov &amp; Yashunin). Each vector is stored unit length; a node lives on layers 0..L with
/// L drawn as ⌊−ln U · 1/ln M⌋; it keeps up to <see cref="M"/> links on the upper layers and 2·M on layer 0, chosen by the
/// diversity heuristic (a candidate is kept only if it is closer to the node than to any link already kept).
/// An insert searches each of its layers with <see cref="EfConstruction"/> candidates; a query descends greedily
/// and searches layer 0 with max(<see cref="EfSearch"/>, k).
/// <para>Removal leaves a tombstone: the node still routes searches but is never answered; re-adding an id makes a new node.
/// Thread safety: any number of concurrent queries with an occasional add or remove (a reader/writer lock: adds are
/// serialised and wait for queries in flight). <see cref="Save"/> writes the whole graph to a temporary file beside the
/// target and renames it over (atomic on one file system), so a crash leaves the old file or the new one.</para>
/// </summary>
public sealed class DnaIndex : IDisposable
{
    /// <summary>
    /// The default near-duplicate threshold on cosine similarity, from measurements (tests/…/Dna/VideoDnaTests, bench/RESULTS.md
    /// dna): a CRF 28 re-encode downscaled to 360×640 scores 0.999 against its original; the same request re-rendered with
    /// another seed (new wording and visuals, same topic) 0.81–0.82; previews of different topics, palettes and styles 0.61–0.74 (two runs).
    /// 0.90 leaves a margin on both sides: copies warn, a fresh take on a topic does not.
    /// </summary>
    public const float DefaultNearDuplicateThreshold = 0.90f;

    private const int MaxLevel = 16;
    private static readonly byte[] Magic = "VLDNAIX1"u8.ToArray();

    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly Dictionary<string, int> _byId = new(StringComparer.Ordinal);
    private readonly double _levelScale;
    private Random _random;
    private float[] _vectors;
    private string?[] _ids;
    private int[][][] _links; // [node][level] → [count, n1, n2, …]
    private bool[] _deleted;
    private int _count;
    private int _entry = -1;
    private int _topLevel = -1;
    private int _efSearch;
    private readonly int _seed;

    public DnaIndex(int dimension = VideoDna.Dimension, int m = 16, int efConstruction = 200, int efSearch = 64, int seed = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(m, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(efConstruction, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(efSearch, 1);
        Dimension = dimension;
        M = m;
        EfConstruction = efConstruction;
        _efSearch = efSearch;
        _seed = seed;
        _random = new Random(seed);
        _levelScale = 1 / Math.Log(m);
        const int initial = 64;
        _vectors = new float[initial * dimension];
        _ids = new string?[initial];
        _links = new int[initial][][];
        _deleted = new bool[initial];
    }

    public int Dimension { get; }
    public int M { get; }
    public int EfConstruction { get; }

    /// <summary>Candidates kept while searching layer 0 for a query (at least k); higher is slower and finds more.</summary>
    public int EfSearch
    {
        get => Volatile.Read(ref _efSearch);
        set { ArgumentOutOfRangeException.ThrowIfLessThan(value, 1); Volatile.Write(ref _efSearch, value); }
    }

    /// <summary>Videos in the index (removed ones not counted).</summary>
    public int Count
    {
        get { _lock.EnterReadLock(); try { return _byId.Count; } finally { _lock.ExitReadLock(); } }
    }

    public bool Contains(string id)
    {
        _lock.EnterReadLock();
        try { return _byId.ContainsKey(id); }
        finally { _lock.ExitReadLock(); }
    }

    /// <summary>Adds a video's vector (any length but zero; it is stored unit length), replacing the one it had.</summary>
    public void Add(string id, ReadOnlySpan<float> vector)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        var v = Normalized(vector);
        _lock.EnterWriteLock();
        try
        {
            if (_byId.Remove(id, out var old)) _deleted[old] = true;
            int node = Insert(v);
            _ids[node] = id;
            _byId[id] = node;
        }
        finally { _lock.ExitWriteLock(); }
    }

    /// <summary>Removes a video; false if it was not there.</summary>
    public bool Remove(string id)
    {
        _lock.EnterWriteLock();
        try
        {
            if (!_byId.Remove(id, out var node)) return false;
            _deleted[node] = true;
            return true;
        }
        finally { _lock.ExitWriteLock(); }
    }

    /// <summary>The stored (unit) vector of a video, or null.</summary>
    public float[]? Get(string id)
    {
        _lock.EnterReadLock();
        try { return _byId.TryGetValue(id, out var n) ? _vectors.AsSpan(n * Dimension, Dimension).ToArray() : null; }
        finally { _lock.ExitReadLock(); }
    }

    /// <summary>The (approximately) <paramref name="k"/> most similar videos, most similar first.</summary>
    public IReadOnlyList<DnaMatch> Search(ReadOnlySpan<float> vector, int k, int? efSearch = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var q = Normalized(vector);
        int ef = Math.Max(k, efSearch ?? EfSearch);
        _lock.EnterReadLock();
        try
        {
            if (_entry < 0) return [];
            int ep = _entry;
            float d = Distance(q, ep);
            for (int level = _topLevel; level > 0; level--) (ep, d) = Greedy(q, ep, d, level);
            var found = SearchLayer(q, ep, d, ef, 0, skipDeleted: true);
            var result = new DnaMatch[Math.Min(k, found.Count)];
            for (int i = 0; i < result.Length; i++) result[i] = new DnaMatch(_ids[found[i].Node]!, 1 - found[i].Distance);
            return result;
        }
        finally { _lock.ExitReadLock(); }
    }

    /// <summary>The exact <paramref name="k"/> most similar videos by a scan of every vector (for checks and small indexes).</summary>
    public IReadOnlyList<DnaMatch> ExactSearch(ReadOnlySpan<float> vector, int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var q = Normalized(vector);
        _lock.EnterReadLock();
        try
        {
            var best = new PriorityQueue<int, float>(k + 1);
            for (int n = 0; n < _count; n++)
            {
                if (_deleted[n]) continue;
                float s = DnaMath.Dot(q, _vectors.AsSpan(n * Dimension, Dimension));
                if (best.Count < k) best.Enqueue(n, s);
                else if (best.TryPeek(out _, out var worst) && s > worst) best.EnqueueDequeue(n, s);
            }
            var result = new DnaMatch[best.Count];
            for (int i = result.Length - 1; i >= 0; i--)
            {
                best.TryDequeue(out var n, out var s);
                result[i] = new DnaMatch(_ids[n]!, s);
            }
            return result;
        }
        finally { _lock.ExitReadLock(); }
    }

    /// <summary>
    /// The most similar video at or above <paramref name="threshold"/> (cosine), other than <paramref name="excludeId"/>;
    /// null if none: the near-duplicate warning before publishing.
    /// </summary>
    public DnaMatch? NearDuplicate(ReadOnlySpan<float> vector, float threshold = DefaultNearDuplicateThreshold, string? excludeId = null)
    {
        foreach (var m in Search(vector, excludeId is null ? 1 : 2))
        {
            if (m.Id == excludeId) continue;
            return m.Similarity >= threshold ? m : null;
        }
        return null;
    }

    // ---- the graph ----

    private float[] Normalized(ReadOnlySpan<float> vector)
    {
        if (vector.Length != Dimension) throw new ArgumentException($"The index holds {Dimension}-dimensional vectors, not {vector.Length}.", nameof(vector));
        var v = vector.ToArray();
        if (DnaMath.Normalize(v) == 0 || !float.IsFinite(v[0])) throw new ArgumentException("A zero or non-finite vector cannot be indexed or searched.", nameof(vector));
        return v;
    }

    private float Distance(ReadOnlySpan<float> q, int node) => 1 - DnaMath.Dot(q, _vectors.AsSpan(node * Dimension, Dimension));

    private float Distance(int a, int b) => 1 - DnaMath.Dot(_vectors.AsSpan(a * Dimension, Dimension), _vectors.AsSpan(b * Dimension, Dimension));

    private int Capacity(int level) => level == 0 ? 2 * M : M;

    private (int Node, float Distance) Greedy(ReadOnlySpan<float> q, int ep, float d, int level)
    {
        bool moved = true;
        while (moved)
        {
            moved = false;
            var links = _links[ep][level];
            for (int i = 1; i <= links[0]; i++)
            {
                float dn = Distance(q, links[i]);
                if (dn < d) (d, ep, moved) = (dn, links[i], true);
            }
        }
        return (ep, d);
    }

    [ThreadStatic] private static int[]? t_visited;
    [ThreadStatic] private static int t_generation;
    [ThreadStatic] private static PriorityQueue<int, float>? t_candidates;
    [ThreadStatic] private static PriorityQueue<int, float>? t_results;

    /// <summary>Best-first search of one layer from <paramref name="ep"/>: up to <paramref name="ef"/> nearest, nearest first.</summary>
    private List<(int Node, float Distance)> SearchLayer(ReadOnlySpan<float> q, int ep, float epDistance, int ef, int level, bool skipDeleted)
    {
        if (t_visited is null || t_visited.Length < _count) { t_visited = new int[Math.Max(_count, _vectors.Length / Dimension)]; t_generation = 0; }
        if (++t_generation == int.MaxValue) { Array.Clear(t_visited); t_generation = 1; }
        var visited = t_visited;
        int gen = t_generation;
        var candidates = t_candidates ??= new PriorityQueue<int, float>();
        var results = t_results ??= new PriorityQueue<int, float>(); // max-heap by distance (priority = −distance)
        candidates.Clear();
        results.Clear();
        visited[ep] = gen;
        candidates.Enqueue(ep, epDistance);
        if (!(skipDeleted && _deleted[ep])) results.Enqueue(ep, -epDistance);
        float worst = results.Count > 0 ? epDistance : float.PositiveInfinity;
        while (candidates.TryDequeue(out var c, out var dc))
        {
            if (dc > worst && results.Count >= ef) break;
            var links = _links[c][level];
            int n = links[0];
            for (int i = 1; i <= n; i++)
            {
                int e = links[i];
                if (visited[e] == gen) continue;
                visited[e] = gen;
                float de = Distance(q, e);
                if (results.Count < ef || de < worst)
                {
                    candidates.Enqueue(e, de);
                    if (!(skipDeleted && _deleted[e]))
                    {
                        results.Enqueue(e, -de);
                        if (results.Count > ef) results.Dequeue();
                    }
                    if (results.Count > 0) { results.TryPeek(out _, out var w); worst = -w; }
                }
            }
        }
        var list = new List<(int, float)>(results.Count);
        while (results.TryDequeue(out var node, out var negative)) list.Add((node, -negative));
        list.Reverse();
        return list;
    }

    private int Insert(float[] v)
    {
        int node = _count;
        if (node == _ids.Length) Grow();
        v.CopyTo(_vectors, node * Dimension);
        int level = Math.Min(MaxLevel, (int)(-Math.Log(1 - _random.NextDouble()) * _levelScale));
        var links = new int[level + 1][];
        for (int l = 0; l <= level; l++) links[l] = new int[Capacity(l) + 1];
        _links[node] = links;
        _count++;
        if (_entry < 0)
        {
            (_entry, _topLevel) = (node, level);
            return node;
        }
        int ep = _entry;
        float d = Distance(v, ep);
        for (int l = _topLevel; l > level; l--) (ep, d) = Greedy(v, ep, d, l);
        for (int l = Math.Min(level, _topLevel); l >= 0; l--)
        {
            var found = SearchLayer(v, ep, d, EfConstruction, l, skipDeleted: false);
            found.RemoveAll(f => f.Node == node);
            var chosen = SelectNeighbours(found, M);
            var mine = links[l];
            foreach (var (n, _) in chosen)
            {
                mine[++mine[0]] = n;
                Connect(n, node, l);
            }
            if (found.Count > 0) (ep, d) = found[0];
        }
        if (level > _topLevel) (_entry, _topLevel) = (node, level);
        return node;
    }

    /// <summary>Adds a link from <paramref name="from"/> to <paramref name="to"/>; a full list is re-chosen by the heuristic.</summary>
    private void Connect(int from, int to, int level)
    {
        var links = _links[from][level];
        int cap = Capacity(level);
        if (links[0] < cap)
        {
            links[++links[0]] = to;
            return;
        }
        var all = new List<(int Node, float Distance)>(cap + 1) { (to, Distance(from, to)) };
        for (int i = 1; i <= links[0]; i++) all.Add((links[i], Distance(from, links[i])));
        all.Sort((a, b) => a.Distance.CompareTo(b.Distance));
        var kept = SelectNeighbours(all, cap);
        links[0] = kept.Count;
        for (int i = 0; i < kept.Count; i++) links[i + 1] = kept[i].Node;
    }

    /// <summary>The diversity heuristic over candidates sorted nearest first: keep one only if it is nearer the base than any kept.</summary>
    private List<(int Node, float Distance)> SelectNeighbours(List<(int Node, float Distance)> sorted, int max)
    {
        var kept = new List<(int Node, float Distance)>(max);
        foreach (var c in sorted)
        {
            if (kept.Count >= max) break;
            bool good = true;
            foreach (var k in kept)
                if (Distance(c.Node, k.Node) < c.Distance) { good = false; break; }
            if (good) kept.Add(c);
        }
        return kept;
    }

    private void Grow()
    {
        int cap = _ids.Length * 2;
        Array.Resize(ref _vectors, cap * Dimension);
        Array.Resize(ref _ids, cap);
        Array.Resize(ref _links, cap);
        Array.Resize(ref _deleted, cap);
    }

    // ---- persistence ----

    /// <summary>Writes the index to <paramref name="path"/> atomically (a temporary file beside it, flushed, renamed over).</summary>
    public void Save(string path)
    {
        var full = Path.GetFullPath(path);
        var tmp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        _lock.EnterReadLock();
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            using (var w = new BinaryWriter(fs, Encoding.UTF8, leaveOpen: true))
            {
                w.Write(Magic);
                w.Write(Dimension); w.Write(M); w.Write(EfConstruction); w.Write(EfSearch); w.Write(_seed);
                w.Write(_count); w.Write(_entry); w.Write(_topLevel);
                for (int n = 0; n < _count; n++)
                {
                    w.Write(_ids[n] ?? "");
                    w.Write(_deleted[n]);
                    var levels = _links[n];
                    w.Write((byte)(levels.Length - 1));
                    foreach (var links in levels)
                    {
                        w.Write((ushort)links[0]);
                        for (int i = 1; i <= links[0]; i++) w.Write(links[i]);
                    }
                }
                var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(_vectors.AsSpan(0, _count * Dimension));
                w.Write(bytes);
                w.Flush();
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(tmp); } catch (IOException) { }
            throw;
        }
        finally { _lock.ExitReadLock(); }
    }

    /// <summary>Reads an index written by <see cref="Save"/>.</summary>
    public static DnaIndex Load(string path)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        using var r = new BinaryReader(fs, Encoding.UTF8);
        if (!r.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic)) throw new InvalidDataException($"{path} is not a DNA index.");
        int dimension = r.ReadInt32(), m = r.ReadInt32(), efc = r.ReadInt32(), ef = r.ReadInt32(), seed = r.ReadInt32();
        int count = r.ReadInt32();
        var index = new DnaIndex(dimension, m, efc, ef, seed);
        int cap = 64;
        while (cap < count) cap *= 2;
        index._vectors = new float[cap * dimension];
        index._ids = new string?[cap];
        index._links = new int[cap][][];
        index._deleted = new bool[cap];
        index._count = count;
        index._entry = r.ReadInt32();
        index._topLevel = r.ReadInt32();
        for (int n = 0; n < count; n++)
        {
            var id = r.ReadString();
            bool deleted = r.ReadBoolean();
            int top = r.ReadByte();
            var levels = new int[top + 1][];
            for (int l = 0; l <= top; l++)
            {
                int k = r.ReadUInt16();
                if (k > index.Capacity(l)) throw new InvalidDataException($"{path}: node {n} has {k} links on layer {l}.");
                var links = new int[index.Capacity(l) + 1];
                links[0] = k;
                for (int i = 1; i <= k; i++)
                {
                    links[i] = r.ReadInt32();
                    if ((uint)links[i] >= (uint)count) throw new InvalidDataException($"{path}: node {n} links to {links[i]} of {count}.");
                }
                levels[l] = links;
            }
            index._ids[n] = id;
            index._deleted[n] = deleted;
            index._links[n] = levels;
            if (!deleted) index._byId[id] = n;
        }
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(index._vectors.AsSpan(0, count * dimension));
        r.BaseStream.ReadExactly(bytes);
        // Later inserts draw levels from a generator that depends on the seed and the size, so a loaded index grows deterministically.
        index._random = new Random(unchecked(seed * 1_000_003 + count));
        return index;
    }

    public void Dispose() => _lock.Dispose();
}
