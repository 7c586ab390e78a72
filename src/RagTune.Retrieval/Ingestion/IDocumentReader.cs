namespace RagTune.Retrieval.Ingestion;

/// <summary>Turns the bytes of one file into documents. Readers throw <see cref="InvalidDataException"/> (or the
/// parser's own exception) for content they cannot read; the ingestor records that as a per-file error.</summary>
public interface IDocumentReader
{
    /// <summary>The documents of the file at <paramref name="path"/> whose content is <paramref name="bytes"/>.</summary>
    IEnumerable<SourceDocument> Read(string path, byte[] bytes);
}
