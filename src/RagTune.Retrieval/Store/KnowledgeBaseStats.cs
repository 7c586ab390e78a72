namespace RagTune.Retrieval.Store;

/// <summary>What <c>ragtune kb stats</c> prints.</summary>
public sealed record KnowledgeBaseStats(string Folder, int Files, int Documents, int Chunks, int EmbeddedChunks,
    int LuceneDocuments, string? EmbeddingModel, int? EmbeddingDimensions, long SqliteBytes, long LuceneBytes, long TotalCharacters);
