using Microsoft.Extensions.VectorData;

namespace RagTune.Retrieval.Store;

/// <summary>
/// A chunk as a Microsoft.Extensions.VectorData record: what <see cref="KnowledgeBaseChunkCollection"/> stores, and
/// the schema a server store (Qdrant, pgvector, Azure AI Search…) would use in its place. The vector's dimension
/// depends on the embedding model, so server stores get it from a collection definition rather than an attribute.
/// </summary>
public sealed class ChunkRecord
{
    /// <summary>The stable chunk id.</summary>
    [VectorStoreKey] public string Key { get; set; } = "";

    /// <summary>The document the chunk belongs to.</summary>
    [VectorStoreData(IsIndexed = true)] public string DocumentId { get; set; } = "";

    /// <summary>The chunk text (full-text indexed: BM25 in the embedded store).</summary>
    [VectorStoreData(IsFullTextIndexed = true)] public string Text { get; set; } = "";

    /// <summary>The source file or URI.</summary>
    [VectorStoreData(IsIndexed = true)] public string SourcePath { get; set; } = "";

    /// <summary>The document title.</summary>
    [VectorStoreData] public string Title { get; set; } = "";

    /// <summary>Start of the chunk's span in the document text.</summary>
    [VectorStoreData] public int Start { get; set; }

    /// <summary>End (exclusive) of the chunk's span.</summary>
    [VectorStoreData] public int End { get; set; }

    /// <summary>1-based page, when the format has pages.</summary>
    [VectorStoreData] public int? Page { get; set; }

    /// <summary>Headings above the chunk, " > "-joined.</summary>
    [VectorStoreData] public string HeadingPath { get; set; } = "";

    /// <summary>The chunk's embedding (L2-normalised on write); null when not embedded or not requested.</summary>
    public ReadOnlyMemory<float>? Embedding { get; set; }

    internal static ChunkRecord From(StoredChunk c, float[]? embedding) => new()
    {
        Key = c.ChunkId, DocumentId = c.DocumentId, Text = c.Text, SourcePath = c.SourcePath, Title = c.Title,
        Start = c.Start, End = c.End, Page = c.Page, HeadingPath = c.HeadingPath, Embedding = embedding,
    };
}
