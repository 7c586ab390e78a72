using UglyToad.PdfPig;

namespace RagTune.Retrieval.Ingestion;

/// <summary>
/// .pdf via PdfPig: text per page (words in reading order joined by spaces; lines of the page become paragraphs
/// when PdfPig reports them), each block tagged with its 1-based page so citations can say "p. 3".
/// A corrupt or encrypted file throws and becomes a per-file error.
/// </summary>
public sealed class PdfReader : IDocumentReader
{
    /// <inheritdoc/>
    public IEnumerable<SourceDocument> Read(string path, byte[] bytes)
    {
        var builder = new DocumentTextBuilder();
        string? title;
        using (var pdf = PdfDocument.Open(bytes))
        {
            title = pdf.Information.Title;
            foreach (var page in pdf.GetPages())
            {
                var words = page.GetWords().Select(w => w.Text).Where(w => w.Length > 0);
                builder.AddParagraph(string.Join(' ', words), page.Number);
            }
        }
        if (string.IsNullOrWhiteSpace(title)) title = Path.GetFileNameWithoutExtension(path);
        yield return new SourceDocument(path, path, title!, builder.Text, builder.Blocks);
    }
}
