using System.Text.RegularExpressions;

namespace RagTune.Evaluation.Comparison;

/// <summary>
/// Picks the sentence of the retrieved chunks that best matches a question (most shared terms, ties to the better
/// ranked chunk): the demo's model is too small to read whole chunks, so RAG hands it this one sentence as context —
/// a sentence-window step, not the answer (the model still has to read the value out of it).
/// </summary>
public static partial class ContextSelector
{
    static readonly HashSet<string> StopWords = ["what", "who", "where", "which", "does", "do", "is", "a", "an", "in", "by", "was"];

    [GeneratedRegex(@"\w+")]
    private static partial Regex WordPattern();

    [GeneratedRegex(@"(?<=[.!?])\s+")]
    private static partial Regex SentenceEnd();

    /// <summary>Lower-cased words with a crude plural/verb "s" stripped (<c>lives</c> → <c>live</c>), stop words removed.</summary>
    public static IEnumerable<string> Terms(string text) =>
        WordPattern().Matches(text).Select(m => m.Value.ToLowerInvariant())
            .Where(w => !StopWords.Contains(w))
            .Select(w => w.Length > 3 && w.EndsWith('s') && !w.EndsWith("ss", StringComparison.Ordinal) ? w[..^1] : w);

    /// <summary>The best-matching sentence of <paramref name="chunks"/> (best first), or "" when nothing overlaps.</summary>
    public static string Select(string question, IEnumerable<string> chunks)
    {
        var q = Terms(question).ToHashSet();
        var best = "";
        var bestScore = 0;
        foreach (var chunk in chunks)
            foreach (var line in chunk.Split('\n').Where(l => !l.TrimStart().StartsWith('#')))
                foreach (var sentence in SentenceEnd().Split(line.Trim()).Where(s => s.Length > 0))
                {
                    var score = Terms(sentence).Distinct().Count(q.Contains);
                    if (score > bestScore) (best, bestScore) = (sentence, score);
                }
        return best;
    }
}
