using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;

namespace RagTune.Retrieval.Ingestion;

/// <summary>
/// .docx via DocumentFormat.OpenXml: body paragraphs in order; paragraphs styled <c>Heading1</c>…<c>Heading9</c>
/// (or <c>Title</c>) become headings. The title is the core property, else the Title paragraph, else the file name.
/// </summary>
public sealed class DocxReader : IDocumentReader
{
    /// <inheritdoc/>
    public IEnumerable<SourceDocument> Read(string path, byte[] bytes)
    {
        using var stream = new MemoryStream(bytes, writable: false);
        using var word = WordprocessingDocument.Open(stream, false);
        var body = word.MainDocumentPart?.Document?.Body
            ?? throw new InvalidDataException($"'{path}' has no document body; expected a Word .docx file.");
        var builder = new DocumentTextBuilder();
        var title = word.PackageProperties.Title;
        foreach (var paragraph in body.Descendants<Paragraph>())
        {
            var text = paragraph.InnerText;
            var style = paragraph.ParagraphProperties?.ParagraphStyleId?.Val?.Value ?? "";
            if (style.Equals("Title", StringComparison.OrdinalIgnoreCase))
            {
                title ??= text;
                builder.AddHeading(text, 1);
            }
            else if (style.StartsWith("Heading", StringComparison.OrdinalIgnoreCase) && int.TryParse(style.AsSpan(7), out var level))
                builder.AddHeading(text, level + 1);
            else
                builder.AddParagraph(text);
        }
        if (string.IsNullOrWhiteSpace(title)) title = Path.GetFileNameWithoutExtension(path);
        yield return new SourceDocument(path, path, title!, builder.Text, builder.Blocks);
    }
}
