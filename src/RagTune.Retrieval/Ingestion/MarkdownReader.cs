using Markdig;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace RagTune.Retrieval.Ingestion;

/// <summary>
/// .md via Markdig: the document text is the Markdown source itself (so citation spans point into the file the
/// user wrote) and each top-level block (heading, paragraph, list, code, quote, table) is a block whose heading
/// path comes from the ATX/setext headings above it. The title is the first level-1 heading, else the file name.
/// </summary>
public sealed class MarkdownReader : IDocumentReader
{
    static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().UsePipeTables().Build();

    /// <inheritdoc/>
    public IEnumerable<SourceDocument> Read(string path, byte[] bytes)
    {
        var text = TextDecoding.DecodeUtf8(path, bytes);
        var markdown = Markdown.Parse(text, Pipeline);
        var headings = new List<(int Level, string Text)>();
        var blocks = new List<TextBlock>();
        string? title = null;
        foreach (var block in markdown)
        {
            var start = block.Span.Start;
            var end = Math.Min(text.Length, block.Span.End + 1);
            while (end > start && char.IsWhiteSpace(text[end - 1])) end--;
            if (end <= start) continue;
            if (block is HeadingBlock heading)
            {
                var headingText = InlineText(heading.Inline);
                headings.RemoveAll(h => h.Level >= heading.Level);
                headings.Add((heading.Level, headingText));
                if (heading.Level == 1) title ??= headingText;
                blocks.Add(new TextBlock(start, end - start, string.Join(" > ", headings.Select(h => h.Text)), null, true));
            }
            else
            {
                blocks.Add(new TextBlock(start, end - start, string.Join(" > ", headings.Select(h => h.Text))));
            }
        }
        yield return new SourceDocument(path, path, title ?? Path.GetFileNameWithoutExtension(path), text, blocks);
    }

    static string InlineText(ContainerInline? inline)
    {
        if (inline is null) return "";
        var parts = new List<string>();
        foreach (var child in inline.Descendants())
            if (child is LiteralInline literal) parts.Add(literal.Content.ToString());
            else if (child is CodeInline code) parts.Add(code.Content);
        return string.Concat(parts).Trim();
    }
}
