namespace RagTune.Server.KnowledgeBases;

/// <summary>The state of one ingest of uploaded documents, as <c>GET …/ingests/{id}</c> returns it (progress while running).</summary>
public sealed class IngestRun
{
    /// <summary>Run id (<c>ingest-…</c>).</summary>
    public required string Id { get; init; }

    /// <summary>The knowledge base written to.</summary>
    public required string KnowledgeBase { get; init; }

    /// <summary>queued | running | succeeded | failed.</summary>
    public string Status { get; set; } = "queued";

    /// <summary>Files the run received.</summary>
    public IReadOnlyList<string> Files { get; init; } = [];

    /// <summary>Files done so far of <see cref="FilesTotal"/>.</summary>
    public int FilesDone { get; set; }

    /// <summary>Files the ingest looks at.</summary>
    public int FilesTotal { get; set; }

    /// <summary>Bytes read so far of <see cref="BytesTotal"/>.</summary>
    public long BytesDone { get; set; }

    /// <summary>Bytes to read.</summary>
    public long BytesTotal { get; set; }

    /// <summary>Chunks written so far.</summary>
    public int Chunks { get; set; }

    /// <summary>Documents added, updated and deleted (at the end).</summary>
    public int DocumentsAdded { get; set; }

    /// <summary>Documents whose content changed.</summary>
    public int DocumentsUpdated { get; set; }

    /// <summary>Documents removed (their file was deleted).</summary>
    public int DocumentsDeleted { get; set; }

    /// <summary>Per-file errors (file name: reason) and, when failed, the reason.</summary>
    public List<string> Errors { get; } = [];

    /// <summary>Seconds since the start.</summary>
    public double ElapsedSeconds { get; set; }
}
