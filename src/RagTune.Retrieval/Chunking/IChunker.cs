using RagTune.Retrieval.Ingestion;

namespace RagTune.Retrieval.Chunking;

/// <summary>Splits a document into chunks whose spans index the document's text.</summary>
public interface IChunker
{
    /// <summary>The chunks of <paramref name="document"/>, in document order.</summary>
    IReadOnlyList<TextChunk> Chunk(SourceDocument document);
}
