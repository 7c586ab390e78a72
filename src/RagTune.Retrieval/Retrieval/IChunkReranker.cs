namespace RagTune.Retrieval.Retrieval;

/// <summary>
/// A second-stage scorer of (query, chunk) pairs — the hook for a cross-encoder (a BERT sequence classifier from the
/// engine) or a remote reranker. Returns one relevance score per candidate, higher is better.
/// </summary>
public interface IChunkReranker
{
    /// <summary>Scores of <paramref name="candidates"/> for <paramref name="query"/>, in the same order.</summary>
    Task<IReadOnlyList<double>> ScoreAsync(string query, IReadOnlyList<RetrievedChunk> candidates, CancellationToken cancellationToken = default);
}
