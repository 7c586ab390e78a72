using System.Collections.Concurrent;
using System.Numerics.Tensors;

namespace RagTune.Retrieval.Vectors;

/// <summary>
/// The HNSW graph itself (Malkov &amp; Yashunin, arXiv:1603.09320): nodes, their vectors and per-layer links, and the
/// paper's algorithms — SEARCH-LAYER (alg. 2), SELECT-NEIGHBORS-HEURISTIC (alg. 4) and INSERT (alg. 1) split into a
/// read-only planning step and a linking step. Not synchronised: <see cref="HnswVectorIndex"/> runs planning and
/// searches under a shared lock and <see cref="Link"/> under an exclusive one.
/// </summary>
internal sealed class HnswGraph
{
    const int MaxLevel = 24; // P(level ≥ 24) with M = 2 is 2^-24 per node: a cap that never binds in practice.

    readonly ConcurrentBag<HnswScratch> _scratchPool = [];
    readonly double _levelMultiplier;

    public readonly int Dims, M, M0, EfConstruction;
    public float[] Vectors;
    public long[] Ids;
    public int[] Levels;
    public bool[] Deleted;
    /// <summary>Layer-0 links, M0 + 1 ints per node: the count, then the neighbours (contiguous for cache locality).</summary>
    public int[] Links0;
    /// <summary>Links of layers 1..level, (M + 1) ints per layer, null for level-0 nodes.</summary>
    public int[]?[] Upper;
    public int NodeCount, EntryPoint = -1, TopLevel = -1, TombstoneCount;
    public ulong RngState;

    public HnswGraph(int dims, int m, int efConstruction, ulong rngState, int capacity)
    {
        Dims = dims; M = m; M0 = 2 * m; EfConstruction = efConstruction; RngState = rngState;
        // mL = 1/ln(M): the paper's choice, which makes the expected number of layers ln(N)/ln(M).
        _levelMultiplier = 1 / Math.Log(m);
        capacity = Math.Max(capacity, 16);
        Vectors = new float[(long)capacity * dims];
        Ids = new long[capacity];
        Levels = new int[capacity];
        Deleted = new bool[capacity];
        Links0 = new int[(long)capacity * (M0 + 1)];
        Upper = new int[]?[capacity];
    }

    public ReadOnlySpan<float> Vector(int node) => new(Vectors, node * Dims, Dims);

    public Span<int> LinksOf(int node, int level) => level == 0
        ? Links0.AsSpan(node * (M0 + 1), M0 + 1)
        : Upper[node].AsSpan((level - 1) * (M + 1), M + 1);

    /// <summary>Neighbour list of <paramref name="node"/> at <paramref name="level"/> (without the count slot).</summary>
    public ReadOnlySpan<int> Neighbours(int node, int level)
    {
        var links = LinksOf(node, level);
        return links.Slice(1, links[0]);
    }

    float Sim(ReadOnlySpan<float> q, int node) => TensorPrimitives.Dot(q, new ReadOnlySpan<float>(Vectors, node * Dims, Dims));

    /// <summary>Draws the new node's top layer: floor(-ln(U)·mL) with a SplitMix64 stream, so the graph depends on
    /// the seed only (and the stream's state can be persisted, unlike System.Random's).</summary>
    public int DrawLevel()
    {
        var z = RngState += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        var u = ((z >> 11) + 1) * (1.0 / (1UL << 53)); // (0, 1]
        return Math.Min(MaxLevel, (int)(-Math.Log(u) * _levelMultiplier));
    }

    /// <summary>Greedy descent from the entry point to <paramref name="toLevel"/> (the ef = 1 case of alg. 2).</summary>
    public int Descend(ReadOnlySpan<float> q, int toLevel)
    {
        var current = EntryPoint;
        var best = Sim(q, current);
        for (var level = TopLevel; level > toLevel; level--)
        {
            for (var changed = true; changed;)
            {
                changed = false;
                foreach (var n in Neighbours(current, level))
                {
                    var s = Sim(q, n);
                    if (s > best) { best = s; current = n; changed = true; }
                }
            }
        }
        return current;
    }

    /// <summary>
    /// SEARCH-LAYER (alg. 2): best-first expansion from <paramref name="entry"/> keeping the <paramref name="ef"/> most
    /// similar nodes. Nodes failing <paramref name="accept"/> (tombstones, filtered ids) are still expanded — they keep
    /// the graph navigable — but never enter the result set (as hnswlib does). Returns (similarity, node), best first.
    /// </summary>
    public List<(float Sim, int Node)> SearchLayer(ReadOnlySpan<float> q, int entry, int ef, int level, Func<int, bool>? accept)
    {
        if (!_scratchPool.TryTake(out var scratch)) scratch = new HnswScratch();
        try
        {
            scratch.Reset(NodeCount);
            var (candidates, results) = (scratch.Candidates, scratch.Results);
            var s0 = Sim(q, entry);
            scratch.Visit(entry);
            candidates.Push(-s0, entry);
            if (accept is null || accept(entry)) results.Push(s0, entry);
            var bound = results.Count > 0 ? s0 : float.NegativeInfinity;
            while (candidates.Count > 0)
            {
                var (negSim, c) = candidates.Pop();
                // Every remaining candidate is less similar than the worst kept result: no path through it can improve.
                if (-negSim < bound && results.Count >= ef) break;
                foreach (var n in Neighbours(c, level))
                {
                    if (!scratch.Visit(n)) continue;
                    var s = Sim(q, n);
                    if (results.Count >= ef && s <= bound) continue;
                    candidates.Push(-s, n);
                    if (accept is not null && !accept(n)) continue;
                    results.Push(s, n);
                    if (results.Count > ef) results.Pop();
                    bound = results.TopKey;
                }
            }
            var list = new List<(float, int)>(results.Count);
            while (results.Count > 0) list.Add(results.Pop());
            list.Reverse();
            return list;
        }
        finally { _scratchPool.Add(scratch); }
    }

    /// <summary>
    /// SELECT-NEIGHBORS-HEURISTIC (alg. 4, without extendCandidates / keepPrunedConnections, as hnswlib): walk the
    /// candidates from most to least similar to the base and keep one only when it is closer to the base than to
    /// every neighbour kept so far. This spreads links over directions, which keeps clustered data connected.
    /// </summary>
    public List<int> SelectHeuristic(List<(float Sim, int Node)> candidatesBestFirst, int max)
    {
        var kept = new List<int>(max);
        foreach (var (simToBase, node) in candidatesBestFirst)
        {
            if (kept.Count >= max) break;
            var v = Vector(node);
            var good = true;
            foreach (var r in kept)
                if (Sim(v, r) > simToBase) { good = false; break; }
            if (good) kept.Add(node);
        }
        return kept;
    }

    /// <summary>The read-only half of INSERT: draws the level and finds, for each layer the node will join, its
    /// neighbours. Runs alongside searches; the result is applied by <see cref="Link"/>.</summary>
    public (int Level, List<int>[] NeighboursPerLevel) Plan(ReadOnlySpan<float> q)
    {
        var level = DrawLevel();
        if (EntryPoint < 0) return (level, []);
        var top = Math.Min(level, TopLevel);
        var perLevel = new List<int>[top + 1];
        var ep = Descend(q, top);
        for (var lc = top; lc >= 0; lc--)
        {
            var w = SearchLayer(q, ep, EfConstruction, lc, accept: null);
            perLevel[lc] = SelectHeuristic(w, M);
            ep = w[0].Node; // the closest found seeds the layer below
        }
        return (level, perLevel);
    }

    /// <summary>The writing half of INSERT: stores the node, links it both ways and shrinks overfull neighbour lists
    /// with the heuristic. Returns the node index.</summary>
    public int Link(long id, ReadOnlySpan<float> vector, int level, List<int>[] neighboursPerLevel)
    {
        if (NodeCount == Ids.Length) Grow();
        var node = NodeCount;
        vector.CopyTo(Vectors.AsSpan(node * Dims, Dims));
        Ids[node] = id;
        Levels[node] = level;
        Deleted[node] = false;
        Links0[node * (M0 + 1)] = 0;
        Upper[node] = level > 0 ? new int[level * (M + 1)] : null;
        NodeCount++; // publish only after the node is complete (readers are excluded anyway, but keep it tidy)

        for (var lc = 0; lc < neighboursPerLevel.Length; lc++)
        {
            var mine = LinksOf(node, lc);
            var chosen = neighboursPerLevel[lc];
            mine[0] = chosen.Count;
            for (var i = 0; i < chosen.Count; i++) mine[i + 1] = chosen[i];
            foreach (var e in chosen) AddBackLink(e, node, lc);
        }
        if (EntryPoint < 0 || level > TopLevel) { EntryPoint = node; TopLevel = level; }
        return node;
    }

    void AddBackLink(int e, int node, int level)
    {
        var links = LinksOf(e, level);
        var cap = level == 0 ? M0 : M;
        if (links[0] < cap) { links[++links[0]] = node; return; }
        // Overfull: re-select e's neighbourhood among its links plus the new node, by similarity to e.
        var ve = Vector(e);
        var pool = new List<(float Sim, int Node)>(cap + 1) { (Sim(ve, node), node) };
        foreach (var n in links.Slice(1, links[0])) pool.Add((Sim(ve, n), n));
        pool.Sort((a, b) => b.Sim != a.Sim ? b.Sim.CompareTo(a.Sim) : a.Node.CompareTo(b.Node));
        var kept = SelectHeuristic(pool, cap);
        links[0] = kept.Count;
        for (var i = 0; i < kept.Count; i++) links[i + 1] = kept[i];
    }

    void Grow()
    {
        var capacity = Ids.Length * 2;
        if ((long)capacity * Math.Max(Dims, M0 + 1) > Array.MaxLength)
            throw new InvalidOperationException($"An HNSW index of {Dims}-dimensional vectors cannot grow beyond {Ids.Length} nodes in one array; shard the corpus.");
        Array.Resize(ref Vectors, capacity * Dims);
        Array.Resize(ref Ids, capacity);
        Array.Resize(ref Levels, capacity);
        Array.Resize(ref Deleted, capacity);
        Array.Resize(ref Links0, capacity * (M0 + 1));
        Array.Resize(ref Upper, capacity);
    }
}
