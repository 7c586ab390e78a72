namespace RagTune.Retrieval.Chunking;

/// <summary>
/// A chunk: its stable id (hash of document id + span + text), the document it came from, its text (exactly
/// <c>document.Text[Start..End]</c>), the page and heading path for citations and its ordinal in the document.
/// </summary>
public sealed record TextChunk(string Id, string DocumentId, int Ordinal, string Text, int Start, int End, int? Page, string HeadingPath, int TokenCount)
{
    /// <summary>The stable id of a chunk: the same document, span and text always give the same id.</summary>
    public static string StableId(string documentId, int start, int end, string text) =>
        Hashing.Sha256Hex($"{documentId}\u0000{start}:{end}\u0000{text}")[..32];
}
