using Microsoft.Extensions.AI;

namespace RagTune.Retrieval.Generation;

/// <summary>
/// A citation <c>[Number]</c> in an answer mapped back to where it came from: document id, file, title, the
/// character span of the document text (which contains <see cref="Snippet"/>), page and heading path.
/// </summary>
public sealed record SourceCitation(int Number, string DocumentId, string SourcePath, string Title, int Start, int End, int? Page, string HeadingPath, string Snippet)
{
    /// <summary>As a Microsoft.Extensions.AI <see cref="CitationAnnotation"/> whose region is the marker's place in the answer.</summary>
    public CitationAnnotation ToAnnotation(int markerStart, int markerEnd) => new()
    {
        Title = Title,
        FileId = DocumentId,
        Url = Uri.TryCreate(Path.IsPathRooted(SourcePath) ? "file://" + SourcePath : SourcePath, UriKind.Absolute, out var uri) ? uri : null,
        Snippet = Snippet,
        AnnotatedRegions = [new TextSpanAnnotatedRegion { StartIndex = markerStart, EndIndex = markerEnd }],
    };

    /// <summary>"title, p. 3 (path:start-end)" for display.</summary>
    public override string ToString() =>
        $"[{Number}] {Title}{(Page is { } p ? $", p. {p}" : "")}{(HeadingPath.Length > 0 ? $" — {HeadingPath}" : "")} ({SourcePath} chars {Start}-{End})";
}
