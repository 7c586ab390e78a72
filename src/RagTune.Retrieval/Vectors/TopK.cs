namespace RagTune.Retrieval.Vectors;

/// <summary>
/// The k best (score, id) pairs seen so far, as a bounded min-heap: the root is the worst kept hit, so a new
/// candidate costs one comparison when it does not qualify and O(log k) when it does.
/// Order: higher score is better; equal scores prefer the smaller id, which makes results deterministic
/// (the same order a brute-force sort by score desc, id asc gives).
/// </summary>
internal sealed class TopK
{
    readonly VectorHit[] _heap;
    int _count;

    public TopK(int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        _heap = new VectorHit[k];
    }

    public int Count => _count;
    public int Capacity => _heap.Length;
    public bool IsFull => _count == _heap.Length;

    /// <summary>The worst kept hit; only meaningful when <see cref="Count"/> &gt; 0.</summary>
    public VectorHit Worst => _heap[0];

    /// <summary>True when <paramref name="a"/> ranks below <paramref name="b"/>.</summary>
    public static bool Worse(in VectorHit a, in VectorHit b) => a.Score < b.Score || (a.Score == b.Score && a.Id > b.Id);

    /// <summary>Whether a hit with this score could enter (cheap pre-check before building the hit).</summary>
    public bool MayAccept(float score) => _count < _heap.Length || score >= _heap[0].Score;

    public void Add(VectorHit hit)
    {
        if (_count < _heap.Length)
        {
            _heap[_count] = hit;
            SiftUp(_count++);
        }
        else if (Worse(_heap[0], hit))
        {
            _heap[0] = hit;
            SiftDown(0);
        }
    }

    /// <summary>The kept hits, best first. The heap is left empty.</summary>
    public VectorHit[] DrainSorted()
    {
        var result = new VectorHit[_count];
        for (var i = _count - 1; i >= 0; i--)
        {
            result[i] = _heap[0];
            _heap[0] = _heap[--_count];
            if (_count > 0) SiftDown(0);
        }
        return result;
    }

    void SiftUp(int i)
    {
        var item = _heap[i];
        while (i > 0)
        {
            var parent = (i - 1) >> 1;
            if (!Worse(item, _heap[parent])) break;
            _heap[i] = _heap[parent];
            i = parent;
        }
        _heap[i] = item;
    }

    void SiftDown(int i)
    {
        var item = _heap[i];
        while (true)
        {
            var child = 2 * i + 1;
            if (child >= _count) break;
            if (child + 1 < _count && Worse(_heap[child + 1], _heap[child])) child++;
            if (!Worse(_heap[child], item)) break;
            _heap[i] = _heap[child];
            i = child;
        }
        _heap[i] = item;
    }
}
