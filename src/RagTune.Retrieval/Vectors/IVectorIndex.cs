namespace RagTune.Retrieval.Vectors;

/// <summary>A hit of a vector search: the caller's id and the similarity (higher is closer).</summary>
public readonly record struct VectorHit(long Id, float Score);

/// <summary>
/// Nearest-neighbour search over L2-normalised float vectors by inner product (= cosine).
/// Ids are the caller's (chunk row ids). Implementations: exact (SIMD scan) and HNSW.
/// </summary>
public interface IVectorIndex : IDisposable
{
    int Dimensions { get; }
    int Count { get; }

    /// <summary>Adds or replaces the vector of <paramref name="id"/>.</summary>
    void Upsert(long id, ReadOnlySpan<float> vector);

    /// <summary>Removes <paramref name="id"/>; returns false when it was not present.</summary>
    bool Remove(long id);

    /// <summary>True when <paramref name="id"/> has a (live) vector.</summary>
    bool Contains(long id);

    /// <summary>A snapshot of the live ids, for reconciling the index against its source of truth.</summary>
    long[] GetIds();

    /// <summary>The <paramref name="k"/> best hits, best first; <paramref name="filter"/> keeps only accepted ids.</summary>
    IReadOnlyList<VectorHit> Search(ReadOnlySpan<float> query, int k, Func<long, bool>? filter = null);

    /// <summary>Persists the index (atomically: temp file + rename) when it is backed by a file.</summary>
    void Flush();
}
