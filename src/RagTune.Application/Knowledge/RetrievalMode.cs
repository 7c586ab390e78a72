namespace RagTune.Application;

/// <summary>How a knowledge base is searched.</summary>
public enum RetrievalMode
{
    /// <summary>Lucene BM25 over the chunk text.</summary>
    Bm25,
    /// <summary>Cosine similarity of embeddings (the model recorded at ingest).</summary>
    Dense,
    /// <summary>Reciprocal rank fusion of BM25 and dense.</summary>
    Hybrid,
}
