namespace RagTune.Retrieval.Store;

/// <summary>A chunk as the knowledge base stores it, with what a citation needs: document, file, title, span, page,
/// heading path. <see cref="RowId"/> is the store's numeric key (also the vector id and the Lucene key).</summary>
public sealed record StoredChunk(long RowId, string ChunkId, string DocumentId, string SourcePath, string Title,
    string Text, int Start, int End, int? Page, string HeadingPath, int Ordinal);
