using System.Text;

namespace RagTune.Retrieval.Ingestion;

/// <summary>
/// Builds a document's text from blocks, keeping each block's span and the heading path (a stack of headings by
/// level), so readers of structured formats (HTML, DOCX, PDF) produce text and blocks that agree by construction.
/// </summary>
internal sealed class DocumentTextBuilder
{
    readonly StringBuilder _text = new();
    readonly List<TextBlock> _blocks = [];
    readonly List<(int Level, string Text)> _headings = [];

    public string HeadingPath => string.Join(" > ", _headings.Select(h => h.Text));

    /// <summary>Appends a heading of <paramref name="level"/> (1 = top) and makes it part of later blocks' path.</summary>
    public void AddHeading(string text, int level, int? page = null)
    {
        text = Normalize(text);
        if (text.Length == 0) return;
        _headings.RemoveAll(h => h.Level >= level);
        _headings.Add((level, text));
        Append(text, page, isHeading: true);
    }

    /// <summary>Appends a paragraph-like block under the current heading path.</summary>
    public void AddParagraph(string text, int? page = null)
    {
        text = Normalize(text);
        if (text.Length > 0) Append(text, page, isHeading: false);
    }

    void Append(string text, int? page, bool isHeading)
    {
        // Blank line between blocks: sentence splitting and BM25 never join words across blocks.
        if (_text.Length > 0) _text.Append("\n\n");
        _blocks.Add(new TextBlock(_text.Length, text.Length, HeadingPath, page, isHeading));
        _text.Append(text);
    }

    public string Text => _text.ToString();

    public IReadOnlyList<TextBlock> Blocks => _blocks;

    static string Normalize(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
