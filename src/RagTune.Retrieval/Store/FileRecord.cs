namespace RagTune.Retrieval.Store;

/// <summary>A source file as last ingested: its content hash decides whether a re-ingest has work to do.</summary>
public sealed record FileRecord(string Path, string Hash, long Size, DateTimeOffset Modified);
