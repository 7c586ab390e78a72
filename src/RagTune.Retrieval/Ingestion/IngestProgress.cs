namespace RagTune.Retrieval.Ingestion;

/// <summary>A progress report: files and bytes done of the total, chunks written, elapsed time.</summary>
public readonly record struct IngestProgress(int FilesDone, int FilesTotal, long BytesDone, long BytesTotal, int Chunks, TimeSpan Elapsed, string? CurrentFile)
{
    /// <summary>Throughput so far in MB/s (10^6 bytes).</summary>
    public double MegabytesPerSecond => Elapsed.TotalSeconds > 0 ? BytesDone / 1e6 / Elapsed.TotalSeconds : 0;

    /// <summary>Estimated time left from the byte throughput so far, or null before any byte is done.</summary>
    public TimeSpan? Eta => BytesDone > 0 && BytesTotal >= BytesDone
        ? TimeSpan.FromSeconds(Elapsed.TotalSeconds * (BytesTotal - BytesDone) / BytesDone) : null;
}
