using System.Runtime.InteropServices;

namespace RagTune.Retrieval.Vectors;

/// <summary>
/// Approximate nearest-neighbour search with a Hierarchical Navigable Small World graph (Malkov &amp; Yashunin,
/// arXiv:1603.09320) over inner-product similarity. Inserts are incremental; a removal leaves a tombstone that still
/// routes searches but is never returned, and the graph is rebuilt from the live vectors once tombstones exceed
/// <see cref="HnswOptions.MaxTombstoneFraction"/>. Upserting an existing id tombstones the old node and inserts anew.
/// </summary>
/// <remarks>
/// Concurrency: any number of searches run together with one writer. An insert first plans its links under an
/// upgradeable read lock (searches keep running — this is the expensive part), then takes the write lock only to
/// link the node. Deterministic: the same <see cref="HnswOptions.Seed"/> and the same sequence of operations give
/// the same graph, also across <see cref="Save"/>/<see cref="Load"/> (the level generator's state is persisted).
/// Searches with a filter that the graph walk cannot satisfy (fewer than k accepted hits) fall back to an exact
/// scan of the accepted nodes, so selective filters stay correct.
/// </remarks>
public sealed class HnswVectorIndex : IVectorIndex
{
    const string Magic = "RTHN";
    const int FormatVersion = 1;

    readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    readonly Dictionary<long, int> _nodeOf = [];
    readonly string? _path;
    HnswGraph _graph;
    bool _disposed;

    /// <summary>An empty index; <see cref="Flush"/> writes it to <paramref name="path"/> when one is given.</summary>
    public HnswVectorIndex(int dimensions, HnswOptions? options = null, string? path = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimensions);
        Options = options ?? new HnswOptions();
        Options.Validate();
        Dimensions = dimensions;
        _path = path;
        _graph = NewGraph(Options.Seed, 1024);
    }

    /// <summary>The parameters the graph was built with (a loaded index keeps the ones it was saved with).</summary>
    public HnswOptions Options { get; }

    /// <inheritdoc/>
    public int Dimensions { get; }

    /// <summary>Live (not deleted) vectors.</summary>
    public int Count { get { _lock.EnterReadLock(); try { return _nodeOf.Count; } finally { _lock.ExitReadLock(); } } }

    /// <summary>Deleted nodes still in the graph (they disappear at the next rebuild).</summary>
    public int TombstoneCount { get { _lock.EnterReadLock(); try { return _graph.TombstoneCount; } finally { _lock.ExitReadLock(); } } }

    /// <summary>The file <see cref="Flush"/> writes, or null for an in-memory index.</summary>
    public string? FilePath => _path;

    HnswGraph NewGraph(ulong rngState, int capacity) =>
        new(Dimensions, Options.M, Options.EfConstruction, rngState, capacity);

    /// <inheritdoc/>
    public void Upsert(long id, ReadOnlySpan<float> vector)
    {
        CheckDimensions(vector);
        // Upgradeable = the single writer slot: it excludes other writers but not readers, so planning (the
        // efConstruction-wide searches) overlaps with queries; only linking blocks them.
        _lock.EnterUpgradeableReadLock();
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var (level, neighbours) = _graph.Plan(vector);
            _lock.EnterWriteLock();
            try
            {
                if (_nodeOf.TryGetValue(id, out var old)) Tombstone(old);
                _nodeOf[id] = _graph.Link(id, vector, level, neighbours);
                RebuildIfNeeded();
            }
            finally { _lock.ExitWriteLock(); }
        }
        finally { _lock.ExitUpgradeableReadLock(); }
    }

    /// <inheritdoc/>
    public bool Remove(long id)
    {
        _lock.EnterWriteLock();
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_nodeOf.Remove(id, out var node)) return false;
            Tombstone(node);
            RebuildIfNeeded();
            return true;
        }
        finally { _lock.ExitWriteLock(); }
    }

    /// <inheritdoc/>
    public bool Contains(long id)
    {
        _lock.EnterReadLock();
        try { return _nodeOf.ContainsKey(id); }
        finally { _lock.ExitReadLock(); }
    }

    /// <summary>A snapshot of the live ids, in no particular order.</summary>
    public long[] GetIds()
    {
        _lock.EnterReadLock();
        try { return [.. _nodeOf.Keys]; }
        finally { _lock.ExitReadLock(); }
    }

    void Tombstone(int node)
    {
        _graph.Deleted[node] = true;
        _graph.TombstoneCount++;
    }

    /// <summary>Rebuilds the graph from the live vectors now, dropping every tombstone.</summary>
    public void Compact()
    {
        _lock.EnterWriteLock();
        try { ObjectDisposedException.ThrowIf(_disposed, this); Rebuild(); }
        finally { _lock.ExitWriteLock(); }
    }

    void RebuildIfNeeded()
    {
        if (_graph.TombstoneCount > Options.MaxTombstoneFraction * _graph.NodeCount) Rebuild();
    }

    /// <summary>Re-inserts live nodes in node order (= insertion order), continuing the level stream: deterministic.</summary>
    void Rebuild()
    {
        var old = _graph;
        var fresh = NewGraph(old.RngState, Math.Max(16, _nodeOf.Count));
        _nodeOf.Clear();
        for (var node = 0; node < old.NodeCount; node++)
        {
            if (old.Deleted[node]) continue;
            var v = old.Vector(node);
            var (level, neighbours) = fresh.Plan(v);
            _nodeOf[old.Ids[node]] = fresh.Link(old.Ids[node], v, level, neighbours);
        }
        _graph = fresh;
    }

    /// <inheritdoc/>
    public IReadOnlyList<VectorHit> Search(ReadOnlySpan<float> query, int k, Func<long, bool>? filter = null) =>
        Search(query, k, Options.EfSearch, filter);

    /// <summary>As <see cref="Search(ReadOnlySpan{float}, int, Func{long, bool}?)"/> with a per-call efSearch
    /// (max(efSearch, k) candidates are kept).</summary>
    public IReadOnlyList<VectorHit> Search(ReadOnlySpan<float> query, int k, int efSearch, Func<long, bool>? filter = null)
    {
        CheckDimensions(query);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(efSearch);
        _lock.EnterReadLock();
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var g = _graph;
            if (_nodeOf.Count == 0) return [];
            Func<int, bool> accept = filter is null
                ? node => !g.Deleted[node]
                : node => !g.Deleted[node] && filter(g.Ids[node]);
            var entry = g.Descend(query, 0);
            var found = g.SearchLayer(query, entry, Math.Max(efSearch, k), 0, accept);
            var wanted = Math.Min(k, _nodeOf.Count);
            if (found.Count < wanted && filter is not null) return ExactScan(g, query, k, accept);
            var top = new TopK(k);
            foreach (var (sim, node) in found) top.Add(new VectorHit(g.Ids[node], sim));
            return top.DrainSorted();
        }
        finally { _lock.ExitReadLock(); }
    }

    static VectorHit[] ExactScan(HnswGraph g, ReadOnlySpan<float> query, int k, Func<int, bool> accept)
    {
        var top = new TopK(k);
        for (var node = 0; node < g.NodeCount; node++)
        {
            if (!accept(node)) continue;
            top.Add(new VectorHit(g.Ids[node], System.Numerics.Tensors.TensorPrimitives.Dot(query, g.Vector(node))));
        }
        return top.DrainSorted();
    }

    /// <summary>Writes the index (graph, tombstones, options, level-generator state) to <paramref name="path"/>
    /// atomically: temp file, fsync, rename.</summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("Index files are little-endian.");
        _lock.EnterReadLock();
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var g = _graph;
            var n = g.NodeCount;
            VectorIndexFile.WriteAtomic(path, Magic, new(FormatVersion, Dimensions, n), w =>
            {
                w.Write(Options.M); w.Write(Options.EfConstruction); w.Write(Options.EfSearch);
                w.Write(Options.Seed); w.Write(Options.MaxTombstoneFraction);
                w.Write(g.RngState); w.Write(g.EntryPoint); w.Write(g.TopLevel); w.Write(g.TombstoneCount);
                w.Write(MemoryMarshal.AsBytes(g.Ids.AsSpan(0, n)));
                w.Write(MemoryMarshal.AsBytes(g.Levels.AsSpan(0, n)));
                w.Write(MemoryMarshal.AsBytes(g.Deleted.AsSpan(0, n)));
                w.Write(MemoryMarshal.AsBytes(g.Vectors.AsSpan(0, n * Dimensions)));
                w.Write(MemoryMarshal.AsBytes(g.Links0.AsSpan(0, n * (g.M0 + 1))));
                for (var node = 0; node < n; node++)
                    if (g.Upper[node] is { } upper) w.Write(MemoryMarshal.AsBytes(upper.AsSpan()));
            });
        }
        finally { _lock.ExitReadLock(); }
    }

    /// <inheritdoc/>
    public void Flush()
    {
        if (_path is not null) Save(_path);
    }

    /// <summary>Loads an index written by <see cref="Save"/>; later flushes go back to <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file is truncated, corrupt or inconsistent; the message names it.</exception>
    public static HnswVectorIndex Load(string path)
    {
        var (r, header) = VectorIndexFile.OpenValidated(path, Magic, FormatVersion);
        using (r)
        {
            var options = new HnswOptions
            {
                M = r.ReadInt32(), EfConstruction = r.ReadInt32(), EfSearch = r.ReadInt32(),
                Seed = r.ReadUInt64(), MaxTombstoneFraction = r.ReadDouble(),
            };
            try { options.Validate(); }
            catch (ArgumentException e) { throw VectorIndexFile.Bad(path, $"stored options are invalid ({e.Message})"); }
            var index = new HnswVectorIndex(header.Dimensions, options, path);
            var n = header.Count;
            var dims = header.Dimensions;
            var perNode = 8L + 4 + 1 + 4L * dims + 4L * (2 * options.M + 1);
            if (perNode * n > r.BaseStream.Length)
                throw VectorIndexFile.Bad(path, $"{n} nodes cannot fit in {r.BaseStream.Length} bytes");
            var g = index.NewGraph(r.ReadUInt64(), Math.Max(16, n));
            g.EntryPoint = r.ReadInt32(); g.TopLevel = r.ReadInt32(); g.TombstoneCount = r.ReadInt32();
            var s = r.BaseStream;
            s.ReadExactly(MemoryMarshal.AsBytes(g.Ids.AsSpan(0, n)));
            s.ReadExactly(MemoryMarshal.AsBytes(g.Levels.AsSpan(0, n)));
            s.ReadExactly(MemoryMarshal.AsBytes(g.Deleted.AsSpan(0, n)));
            s.ReadExactly(MemoryMarshal.AsBytes(g.Vectors.AsSpan(0, n * dims)));
            s.ReadExactly(MemoryMarshal.AsBytes(g.Links0.AsSpan(0, n * (g.M0 + 1))));
            g.NodeCount = n;
            for (var node = 0; node < n; node++)
            {
                var level = g.Levels[node];
                if (level < 0 || level > g.TopLevel)
                    throw VectorIndexFile.Bad(path, $"node {node} has level {level}, outside 0..{g.TopLevel}");
                if (level == 0) continue;
                var upper = new int[level * (g.M + 1)];
                s.ReadExactly(MemoryMarshal.AsBytes(upper.AsSpan()));
                g.Upper[node] = upper;
            }
            VectorIndexFile.ExpectPayloadEnd(r, path);
            index.ValidateLoaded(g, path);
            index._graph = g;
            return index;
        }
    }

    /// <summary>Checks links, entry point and ids so a file that passes the checksum but was written wrongly still
    /// fails at load, not with an IndexOutOfRange in the middle of a search.</summary>
    void ValidateLoaded(HnswGraph g, string path)
    {
        var n = g.NodeCount;
        if (n > 0 && (g.EntryPoint < 0 || g.EntryPoint >= n || g.Levels[g.EntryPoint] != g.TopLevel))
            throw VectorIndexFile.Bad(path, $"entry point {g.EntryPoint} is not a top-level node of {n}");
        var tombstones = 0;
        for (var node = 0; node < n; node++)
        {
            for (var level = 0; level <= g.Levels[node]; level++)
            {
                var links = g.LinksOf(node, level);
                if (links[0] < 0 || links[0] > links.Length - 1)
                    throw VectorIndexFile.Bad(path, $"node {node} has {links[0]} links at level {level}");
                foreach (var target in links.Slice(1, links[0]))
                    if (target < 0 || target >= n || g.Levels[target] < level)
                        throw VectorIndexFile.Bad(path, $"node {node} links to {target} at level {level}");
            }
            if (g.Deleted[node]) { tombstones++; continue; }
            if (!_nodeOf.TryAdd(g.Ids[node], node))
                throw VectorIndexFile.Bad(path, $"id {g.Ids[node]} is live twice");
        }
        if (tombstones != g.TombstoneCount)
            throw VectorIndexFile.Bad(path, $"header counts {g.TombstoneCount} tombstones, the nodes {tombstones}");
    }

    /// <summary>Loads <paramref name="path"/> when it exists, else an empty index that will be written there.</summary>
    public static HnswVectorIndex OpenOrCreate(string path, int dimensions, HnswOptions? options = null)
    {
        if (!File.Exists(path)) return new HnswVectorIndex(dimensions, options, path);
        var index = Load(path);
        if (index.Dimensions != dimensions)
        {
            index.Dispose();
            throw VectorIndexFile.Bad(path, $"it holds {index.Dimensions}-dimensional vectors, the caller expects {dimensions}; re-embed or delete the file");
        }
        return index;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _lock.EnterWriteLock();
        try { _disposed = true; _nodeOf.Clear(); _graph = NewGraph(0, 16); }
        finally { _lock.ExitWriteLock(); }
    }

    void CheckDimensions(ReadOnlySpan<float> vector)
    {
        if (vector.Length != Dimensions)
            throw new ArgumentException($"Vector has {vector.Length} dimensions, the index holds {Dimensions}-dimensional vectors.", nameof(vector));
    }
}
