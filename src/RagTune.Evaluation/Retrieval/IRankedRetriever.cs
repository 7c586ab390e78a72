namespace RagTune.Evaluation.Retrieval;

/// <summary>
/// What retrieval evaluation needs from a retriever: the best <c>k</c> document ids for a query text, best first.
/// Document ids are the corpus ids the qrels use (BEIR <c>corpus-id</c>), not chunk ids: a retriever over chunks
/// should return each document once, at the score of its best chunk (BEIR's max-passage convention).
/// </summary>
public interface IRankedRetriever
{
    /// <summary>The top <paramref name="k"/> documents for <paramref name="query"/>, best first.</summary>
    Task<IReadOnlyList<RankedDocument>> RetrieveAsync(string query, int k, CancellationToken cancellationToken = default);
}
