namespace RagTune.Retrieval.Ingestion;

/// <summary>Picks the reader for a file from its extension (<c>auto</c>) or forces the BEIR corpus reader (<c>beir</c>).</summary>
public sealed class DocumentReaders
{
    readonly Dictionary<string, IDocumentReader> _byExtension;
    readonly BeirCorpusReader _beir = new();

    /// <summary>The built-in readers; <paramref name="records"/> maps JSON/JSONL/CSV fields.</summary>
    public DocumentReaders(RecordFieldOptions? records = null)
    {
        var json = new JsonReader(records);
        var html = new HtmlReader();
        _byExtension = new(StringComparer.OrdinalIgnoreCase)
        {
            [".txt"] = new PlainTextReader(), [".text"] = new PlainTextReader(),
            [".md"] = new MarkdownReader(), [".markdown"] = new MarkdownReader(),
            [".html"] = html, [".htm"] = html,
            [".pdf"] = new PdfReader(),
            [".docx"] = new DocxReader(),
            [".json"] = json, [".jsonl"] = json,
            [".csv"] = new CsvReader(records),
        };
    }

    /// <summary>File extensions read in <c>auto</c> format.</summary>
    public IEnumerable<string> Extensions => _byExtension.Keys;

    /// <summary>The reader for <paramref name="path"/>, or null when the format is not supported.</summary>
    /// <param name="format"><c>auto</c> (by extension) or <c>beir</c> (every .jsonl is a BEIR corpus).</param>
    public IDocumentReader? For(string path, string format = "auto")
    {
        var extension = Path.GetExtension(path);
        if (format.Equals("beir", StringComparison.OrdinalIgnoreCase))
            return extension.Equals(".jsonl", StringComparison.OrdinalIgnoreCase) ? _beir : null;
        if (!format.Equals("auto", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"Unknown format '{format}'; expected auto or beir.", nameof(format));
        return _byExtension.GetValueOrDefault(extension);
    }
}
