namespace RagTune.Retrieval.Retrieval;

/// <summary>
/// Hybrid retrieval: a lexical and a dense retriever each return <see cref="CandidateCount"/> candidates (with the
/// same filter), fused by <see cref="ReciprocalRankFusion"/>. The relevance threshold applies to the fused score.
/// </summary>
public sealed class HybridRetriever : IChunkRetriever
{
    readonly IChunkRetriever _lexical;
    readonly IChunkRetriever _dense;
    readonly ReciprocalRankFusion _fusion;

    /// <summary>Fuses <paramref name="lexical"/> and <paramref name="dense"/>.</summary>
    public HybridRetriever(IChunkRetriever lexical, IChunkRetriever dense, ReciprocalRankFusion? fusion = null, int candidateCount = 50)
    {
        _lexical = lexical ?? throw new ArgumentNullException(nameof(lexical));
        _dense = dense ?? throw new ArgumentNullException(nameof(dense));
        _fusion = fusion ?? new ReciprocalRankFusion();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(candidateCount);
        CandidateCount = candidateCount;
    }

    /// <summary>Candidates per retriever before fusion (at least top-k).</summary>
    public int CandidateCount { get; }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<RetrievedChunk>> RetrieveAsync(string query, RetrievalOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new RetrievalOptions();
        options.Validate();
        var candidates = options.ForCandidates(CandidateCount);
        var lexical = _lexical.RetrieveAsync(query, candidates, cancellationToken);
        var dense = _dense.RetrieveAsync(query, candidates, cancellationToken);
        var fused = _fusion.Fuse([await lexical.ConfigureAwait(false), await dense.ConfigureAwait(false)], options.TopK);
        return options.MinScore is { } min ? fused.Where(f => f.Score >= min).ToList() : fused;
    }
}
