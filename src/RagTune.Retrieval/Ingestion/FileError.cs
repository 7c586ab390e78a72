namespace RagTune.Retrieval.Ingestion;

/// <summary>A file the ingest could not read, and why (the batch went on without it).</summary>
public sealed record FileError(string Path, string Reason);
