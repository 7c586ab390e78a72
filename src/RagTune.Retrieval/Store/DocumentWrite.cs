using RagTune.Retrieval.Chunking;
using RagTune.Retrieval.Ingestion;

namespace RagTune.Retrieval.Store;

/// <summary>A document to add or replace with its chunks and (optionally) one embedding per chunk.</summary>
public sealed record DocumentWrite(SourceDocument Document, IReadOnlyList<TextChunk> Chunks, IReadOnlyList<ReadOnlyMemory<float>>? Embeddings = null);
