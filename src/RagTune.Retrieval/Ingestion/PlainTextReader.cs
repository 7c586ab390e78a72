namespace RagTune.Retrieval.Ingestion;

/// <summary>.txt: one document, paragraphs split at blank lines; the title is the file name.</summary>
public sealed class PlainTextReader : IDocumentReader
{
    /// <inheritdoc/>
    public IEnumerable<SourceDocument> Read(string path, byte[] bytes)
    {
        var text = TextDecoding.DecodeUtf8(path, bytes);
        yield return new SourceDocument(path, path, Path.GetFileNameWithoutExtension(path), text, TextDecoding.Paragraphs(text));
    }
}
