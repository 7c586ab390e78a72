namespace RagTune.Retrieval.Store;

/// <summary>Which dense index a knowledge base searches with (a setting stored in the knowledge base).</summary>
public enum VectorIndexKind
{
    /// <summary>Exact below <see cref="KnowledgeBase.HnswThreshold"/> embedded chunks, HNSW from there on.</summary>
    Auto,

    /// <summary>Exact SIMD scan, built in memory from the stored embeddings.</summary>
    Exact,

    /// <summary>HNSW graph persisted as <c>vectors.hnsw</c> in the knowledge-base folder.</summary>
    Hnsw,
}
