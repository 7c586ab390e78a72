namespace RagTune.Retrieval.Retrieval;

/// <summary>A retriever of chunks for a query text: BM25, dense, hybrid, reranked…</summary>
public interface IChunkRetriever
{
    /// <summary>The best chunks for <paramref name="query"/>, best first.</summary>
    Task<IReadOnlyList<RetrievedChunk>> RetrieveAsync(string query, RetrievalOptions? options = null, CancellationToken cancellationToken = default);
}
