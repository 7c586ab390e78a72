using RagTune.Retrieval.Store;

namespace RagTune.Retrieval.Retrieval;

/// <summary>A retrieved chunk and its score under the retriever that produced it (BM25, cosine, RRF, reranker).</summary>
public sealed record RetrievedChunk(StoredChunk Chunk, double Score);
