using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;

namespace RagTune.Retrieval.Generation;

/// <summary>Finds citation markers — <c>[1]</c>, <c>[1][2]</c>, <c>[1, 3]</c> — in an answer and maps them to sources.</summary>
public static partial class CitationExtractor
{
    [GeneratedRegex(@"\[(\d+(?:\s*,\s*\d+)*)\]")]
    private static partial Regex Marker();

    /// <summary>Distinct citations in order of first mention; numbers without a source are ignored.</summary>
    public static IReadOnlyList<SourceCitation> Extract(string answer, IReadOnlyList<NumberedSource> sources) =>
        Markers(answer, sources).Select(m => m.Citation).DistinctBy(c => c.Number).ToList();

    /// <summary>Each marker's position in the answer with its citation.</summary>
    public static IEnumerable<(int Start, int End, SourceCitation Citation)> Markers(string answer, IReadOnlyList<NumberedSource> sources)
    {
        var byNumber = sources.ToDictionary(s => s.Number);
        foreach (Match m in Marker().Matches(answer))
            foreach (var part in m.Groups[1].Value.Split(','))
                if (int.TryParse(part.Trim(), out var n) && byNumber.TryGetValue(n, out var s))
                {
                    var c = s.Retrieved.Chunk;
                    yield return (m.Index, m.Index + m.Length,
                        new SourceCitation(n, c.DocumentId, c.SourcePath, c.Title, s.Start, s.End, c.Page, c.HeadingPath, s.Text));
                }
    }

    /// <summary>The answer as a chat message whose text content carries a <see cref="CitationAnnotation"/> per marker.</summary>
    public static ChatMessage ToAnnotatedMessage(string answer, IReadOnlyList<NumberedSource> sources)
    {
        var content = new TextContent(answer) { Annotations = [.. Markers(answer, sources).Select(m => m.Citation.ToAnnotation(m.Start, m.End))] };
        return new ChatMessage(ChatRole.Assistant, [content]);
    }
}
