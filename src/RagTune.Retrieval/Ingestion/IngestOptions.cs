namespace RagTune.Retrieval.Ingestion;

/// <summary>Options of one ingest run.</summary>
public sealed record IngestOptions
{
    /// <summary><c>auto</c> (reader by extension) or <c>beir</c> (.jsonl files are BEIR corpora).</summary>
    public string Format { get; init; } = "auto";

    /// <summary>Delete the documents of files that are under an ingested folder (or are an ingested file) but no longer exist.</summary>
    public bool Sync { get; init; }

    /// <summary>Files above this size are reported and skipped. Default 256 MB.</summary>
    public long MaxFileBytes { get; init; } = 256L << 20;

    /// <summary>Chunks per write batch (one SQLite transaction + one Lucene commit). Default 512: a crash loses at most that.</summary>
    public int BatchChunks { get; init; } = 512;

    /// <summary>Texts per embedding call. Default 32.</summary>
    public int EmbeddingBatchSize { get; init; } = 32;

    /// <summary>Tags added to every document's metadata (filter with <c>tag=…</c>).</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>Field mapping for JSON/JSONL/CSV.</summary>
    public RecordFieldOptions Records { get; init; } = new();
}
