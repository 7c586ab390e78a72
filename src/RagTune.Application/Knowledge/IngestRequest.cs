using RagTune.Retrieval.Chunking;
using RagTune.Retrieval.Store;

namespace RagTune.Application;

/// <summary>What <see cref="IngestService"/> ingests, where and how.</summary>
public sealed record IngestRequest
{
    /// <summary>Knowledge-base folder (created if missing).</summary>
    public required string KnowledgeBase { get; init; }
    /// <summary>Files and folders to ingest.</summary>
    public required IReadOnlyList<string> Paths { get; init; }
    /// <summary><c>auto</c> (reader by extension) or <c>beir</c> (.jsonl files are BEIR corpora).</summary>
    public string Format { get; init; } = "auto";
    /// <summary>Also delete documents of files that no longer exist under the given paths.</summary>
    public bool Sync { get; init; }
    /// <summary>Embedding model spec (folder or endpoint); null: the one the knowledge base already uses, if any.</summary>
    public string? EmbedModel { get; init; }
    /// <summary>How the embedding model is opened.</summary>
    public ModelClientOptions? EmbedOptions { get; init; }
    /// <summary>Tags added to every document.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];
    /// <summary>Chunk size and overlap (tokens are counted with the embedding model's tokenizer when it has one).</summary>
    public ChunkingOptions Chunking { get; init; } = new();
    /// <summary>Chunks per committed batch.</summary>
    public int BatchChunks { get; init; } = 512;
    /// <summary>Dense index kind to store in the knowledge base; null keeps its setting.</summary>
    public VectorIndexKind? Index { get; init; }
}
