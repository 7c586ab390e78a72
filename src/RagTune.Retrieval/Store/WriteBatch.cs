namespace RagTune.Retrieval.Store;

/// <summary>
/// One atomic unit of ingestion: documents to add/replace, documents and files to delete, file records to set.
/// It commits in one SQLite transaction, then in one Lucene commit; a crash between them is repaired on open.
/// </summary>
public sealed class WriteBatch
{
    /// <summary>Documents to add or replace (their old chunks go).</summary>
    public List<DocumentWrite> Documents { get; } = [];

    /// <summary>Document ids to delete with their chunks.</summary>
    public List<string> DeletedDocuments { get; } = [];

    /// <summary>File records to insert or update (written with the documents so a file is marked done only when they are).</summary>
    public List<FileRecord> Files { get; } = [];

    /// <summary>File paths to forget (their documents are listed in <see cref="DeletedDocuments"/>).</summary>
    public List<string> DeletedFiles { get; } = [];

    /// <summary>Single chunks to delete by chunk id (the vector-store API deletes records one by one).</summary>
    public List<string> DeletedChunks { get; } = [];

    /// <summary>True when there is nothing to write.</summary>
    public bool IsEmpty => Documents.Count == 0 && DeletedDocuments.Count == 0 && Files.Count == 0 && DeletedFiles.Count == 0 && DeletedChunks.Count == 0;

    /// <summary>Chunks in the batch.</summary>
    public int ChunkCount => Documents.Sum(d => d.Chunks.Count);
}
