using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace RagTune.Retrieval.Ingestion;

/// <summary>
/// .html/.htm via AngleSharp: the title from &lt;title&gt; (else the first h1), the main text from &lt;main&gt;,
/// &lt;article&gt; or &lt;body&gt; without scripts, styles and navigation chrome; h1–h6 become headings.
/// </summary>
public sealed class HtmlReader : IDocumentReader
{
    static readonly string[] Chrome = ["script", "style", "noscript", "nav", "header", "footer", "aside", "template", "svg"];
    static readonly HashSet<string> BlockTags = new(StringComparer.OrdinalIgnoreCase)
        { "p", "li", "pre", "blockquote", "td", "th", "dd", "dt", "figcaption", "caption" };

    /// <inheritdoc/>
    public IEnumerable<SourceDocument> Read(string path, byte[] bytes)
    {
        var html = TextDecoding.DecodeUtf8(path, bytes);
        var document = new HtmlParser().ParseDocument(html);
        var root = document.QuerySelector("main") ?? document.QuerySelector("article") ?? document.Body ?? document.DocumentElement;
        foreach (var junk in root.QuerySelectorAll(string.Join(",", Chrome)).ToList()) junk.Remove();
        var builder = new DocumentTextBuilder();
        Walk(root, builder);
        var title = document.Title?.Trim();
        if (string.IsNullOrEmpty(title)) title = root.QuerySelector("h1")?.TextContent.Trim();
        if (string.IsNullOrEmpty(title)) title = Path.GetFileNameWithoutExtension(path);
        yield return new SourceDocument(path, path, title, builder.Text, builder.Blocks);
    }

    static void Walk(IElement element, DocumentTextBuilder builder)
    {
        foreach (var node in element.ChildNodes)
        {
            if (node is IText loose)
            {
                // Text directly inside a container (e.g. <div>text</div>) is a paragraph of its own.
                builder.AddParagraph(loose.Data);
                continue;
            }
            if (node is not IElement child) continue;
            var tag = child.LocalName;
            if (tag.Length == 2 && tag[0] == 'h' && char.IsAsciiDigit(tag[1]) && tag[1] is >= '1' and <= '6')
                builder.AddHeading(child.TextContent, tag[1] - '0');
            else if (BlockTags.Contains(tag))
                builder.AddParagraph(child.TextContent);
            else if (tag is "br" or "hr" or "img") continue;
            else if (child.Children.Length == 0)
                builder.AddParagraph(child.TextContent);
            else
                Walk(child, builder);
        }
    }
}
