namespace RagTune.Retrieval.Ingestion;

/// <summary>
/// A document as a reader produced it: a stable id (the file path, <c>path#id</c> for multi-record files, the
/// corpus id for BEIR), its title, its whole text and the structural blocks of that text, plus metadata
/// (tags, modified time, fields a JSON/CSV reader was told to keep). Every block span indexes <see cref="Text"/>.
/// </summary>
public sealed record SourceDocument(string Id, string FilePath, string Title, string Text, IReadOnlyList<TextBlock> Blocks)
{
    /// <summary>Last write time of the file the document came from.</summary>
    public DateTimeOffset? Modified { get; init; }

    /// <summary>Filterable metadata (key → value); tags are stored under the key <c>tag</c> with ';' between values.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    /// <summary>A hash of everything that is stored for the document: unchanged hash = nothing to do on re-ingest.</summary>
    public string ContentHash => Hashing.Sha256Hex(
        Id + "\u0000" + Title + "\u0000" + Text + "\u0000" +
        string.Join("\u0001", Metadata.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key + "=" + p.Value)));
}
