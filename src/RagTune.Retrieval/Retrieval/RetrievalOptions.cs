using RagTune.Retrieval.Store;

namespace RagTune.Retrieval.Retrieval;

/// <summary>Per-call retrieval settings.</summary>
public sealed record RetrievalOptions
{
    /// <summary>How many chunks to return. Default 10.</summary>
    public int TopK { get; init; } = 10;

    /// <summary>Metadata conditions every returned chunk's document meets; null for none.</summary>
    public MetadataFilter? Filter { get; init; }

    /// <summary>Relevance threshold on the retriever's own score scale (BM25 score, cosine, RRF); null for none.</summary>
    public double? MinScore { get; init; }

    /// <summary>
    /// The request a stage that narrows results later (fusion, reranking) sends upstream: at least
    /// <paramref name="candidateCount"/> chunks and no score threshold, since upstream scores are not the final ones.
    /// </summary>
    public RetrievalOptions ForCandidates(int candidateCount) =>
        this with { TopK = Math.Max(TopK, candidateCount), MinScore = null };

    internal void Validate() => ArgumentOutOfRangeException.ThrowIfNegativeOrZero(TopK);
}
