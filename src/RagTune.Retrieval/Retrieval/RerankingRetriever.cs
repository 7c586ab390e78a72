namespace RagTune.Retrieval.Retrieval;

/// <summary>
/// Retrieves <see cref="CandidateCount"/> chunks from an inner retriever and reorders them by an
/// <see cref="IChunkReranker"/> (a cross-encoder); the threshold applies to the reranker's score.
/// </summary>
public sealed class RerankingRetriever : IChunkRetriever
{
    readonly IChunkRetriever _inner;
    readonly IChunkReranker _reranker;

    /// <summary>Reranks the first <paramref name="candidateCount"/> results of <paramref name="inner"/>.</summary>
    public RerankingRetriever(IChunkRetriever inner, IChunkReranker reranker, int candidateCount = 30)
    {
        _inner = inner ?? throw new ArgumentNullException(nameof(inner));
        _reranker = reranker ?? throw new ArgumentNullException(nameof(reranker));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(candidateCount);
        CandidateCount = candidateCount;
    }

    /// <summary>Candidates passed to the reranker.</summary>
    public int CandidateCount { get; }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<RetrievedChunk>> RetrieveAsync(string query, RetrievalOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new RetrievalOptions();
        options.Validate();
        var candidates = await _inner.RetrieveAsync(query, options.ForCandidates(CandidateCount), cancellationToken).ConfigureAwait(false);
        if (candidates.Count == 0) return candidates;
        var scores = await _reranker.ScoreAsync(query, candidates, cancellationToken).ConfigureAwait(false);
        if (scores.Count != candidates.Count)
            throw new InvalidOperationException($"The reranker returned {scores.Count} scores for {candidates.Count} candidates.");
        return candidates.Select((c, i) => new RetrievedChunk(c.Chunk, scores[i]))
            .Where(c => options.MinScore is not { } min || c.Score >= min)
            .OrderByDescending(c => c.Score).Take(options.TopK).ToList();
    }
}
