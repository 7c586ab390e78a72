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

    internal void Validate() => ArgumentOutOfRangeException.ThrowIfNegativeOrZero(TopK);
}
