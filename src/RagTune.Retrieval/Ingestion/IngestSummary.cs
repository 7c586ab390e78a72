namespace RagTune.Retrieval.Ingestion;

/// <summary>What an ingest run did.</summary>
public sealed record IngestSummary
{
    /// <summary>Files looked at.</summary>
    public int FilesScanned { get; init; }

    /// <summary>Files whose content hash matched the stored one: no work.</summary>
    public int FilesUnchanged { get; init; }

    /// <summary>Documents added for the first time.</summary>
    public int DocumentsAdded { get; init; }

    /// <summary>Documents whose content changed: chunks replaced.</summary>
    public int DocumentsUpdated { get; init; }

    /// <summary>Documents found with an unchanged hash (inside changed files).</summary>
    public int DocumentsUnchanged { get; init; }

    /// <summary>Documents removed (gone from their file, or their file gone with <c>--sync</c>).</summary>
    public int DocumentsDeleted { get; init; }

    /// <summary>Chunks written.</summary>
    public int ChunksWritten { get; init; }

    /// <summary>Bytes read.</summary>
    public long BytesRead { get; init; }

    /// <summary>Wall time.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>Per-file errors; the other files were ingested.</summary>
    public IReadOnlyList<FileError> Errors { get; init; } = [];

    /// <summary>Throughput in MB/s over bytes read.</summary>
    public double MegabytesPerSecond => Elapsed.TotalSeconds > 0 ? BytesRead / 1e6 / Elapsed.TotalSeconds : 0;
}
