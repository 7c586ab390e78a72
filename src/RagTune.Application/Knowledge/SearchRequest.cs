namespace RagTune.Application;

/// <summary>A query against a knowledge base.</summary>
public sealed record SearchRequest
{
    /// <summary>Knowledge-base folder.</summary>
    public required string KnowledgeBase { get; init; }
    /// <summary>Query text.</summary>
    public required string Query { get; init; }
    /// <summary>Mode; null: <see cref="RetrieverBuilder.DefaultMode"/>.</summary>
    public RetrievalMode? Mode { get; init; }
    /// <summary>How the knowledge base's embedding model is opened (dense and hybrid), e.g. the built-in encoders' cache.</summary>
    public ModelClientOptions? EmbedOptions { get; init; }
    /// <summary>Number of chunks.</summary>
    public int TopK { get; init; } = 10;
    /// <summary>Relevance threshold on the mode's score.</summary>
    public double? MinScore { get; init; }
    /// <summary>Metadata conditions <c>key=value</c> (source, doc, title, tag, or a record field).</summary>
    public IReadOnlyList<string> Filters { get; init; } = [];
}
