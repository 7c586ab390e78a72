namespace RagTune.Application.Compare;

/// <summary>The config's <c>retrieval</c> object: how the RAG arms retrieve and how much context the model gets.</summary>
public sealed record RetrievalSettings
{
    /// <summary>bm25, dense or hybrid (dense and hybrid need <see cref="EmbedModel"/>).</summary>
    public string Mode { get; init; } = "bm25";
    /// <summary>Chunks handed to the model per question (also the k of recall@k).</summary>
    public int K { get; init; } = 3;
    /// <summary>Embedding model: an encoder folder or an OpenAI-compatible endpoint (<c>http://host/v1#model</c>).</summary>
    public string? EmbedModel { get; init; }
    /// <summary>Chunk size in tokens at ingest.</summary>
    public int ChunkTokens { get; init; } = 256;
    /// <summary>The chat model's context window for the grounded prompt (capped by the model's own maximum).</summary>
    public int ContextTokens { get; init; } = 2048;
}
