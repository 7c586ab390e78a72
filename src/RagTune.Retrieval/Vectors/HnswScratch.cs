namespace RagTune.Retrieval.Vectors;

/// <summary>
/// Per-search working memory of <see cref="HnswGraph.SearchLayer"/>, pooled so a search allocates nothing but its
/// result: visited marks as generation stamps (reset in O(1) instead of clearing N flags) and two binary heaps.
/// </summary>
internal sealed class HnswScratch
{
    int[] _stamps = [];
    int _generation;

    /// <summary>Candidates to expand, most similar first (keyed by −similarity).</summary>
    public readonly MinHeap Candidates = new();

    /// <summary>The ef best found so far, least similar on top (keyed by similarity).</summary>
    public readonly MinHeap Results = new();

    public void Reset(int nodeCount)
    {
        if (_stamps.Length < nodeCount) { _stamps = new int[Math.Max(nodeCount, _stamps.Length * 2)]; _generation = 0; }
        if (++_generation == int.MaxValue) { Array.Clear(_stamps); _generation = 1; }
        Candidates.Clear();
        Results.Clear();
    }

    /// <summary>Marks <paramref name="node"/>; false when it was already marked.</summary>
    public bool Visit(int node)
    {
        if (_stamps[node] == _generation) return false;
        _stamps[node] = _generation;
        return true;
    }

    /// <summary>A binary min-heap of (key, node) pairs in one struct array.</summary>
    internal sealed class MinHeap
    {
        (float Key, int Node)[] _items = new (float, int)[64];

        public int Count { get; private set; }
        public float TopKey => _items[0].Key;

        public void Clear() => Count = 0;

        public void Push(float key, int node)
        {
            if (Count == _items.Length) Array.Resize(ref _items, Count * 2);
            var i = Count++;
            while (i > 0)
            {
                var parent = (i - 1) >> 1;
                if (_items[parent].Key <= key) break;
                _items[i] = _items[parent];
                i = parent;
            }
            _items[i] = (key, node);
        }

        public (float Key, int Node) Pop()
        {
            var top = _items[0];
            var last = _items[--Count];
            var i = 0;
            while (true)
            {
                var child = 2 * i + 1;
                if (child >= Count) break;
                if (child + 1 < Count && _items[child + 1].Key < _items[child].Key) child++;
                if (last.Key <= _items[child].Key) break;
                _items[i] = _items[child];
                i = child;
            }
            if (Count > 0) _items[i] = last;
            return top;
        }
    }
}
