namespace RagTune.Retrieval.Ingestion;

/// <summary>
/// One structural block of a document's text (a heading, paragraph, list item, table row or page paragraph):
/// the character span <c>[Start, Start+Length)</c> of <see cref="SourceDocument.Text"/>, the heading path above it
/// (" > "-joined) and the 1-based page where the format has pages. Chunkers pack blocks; citations point to spans.
/// </summary>
public readonly record struct TextBlock(int Start, int Length, string HeadingPath, int? Page = null, bool IsHeading = false)
{
    /// <summary>End of the span (exclusive).</summary>
    public int End => Start + Length;
}
