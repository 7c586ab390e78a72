namespace RagTune.Evaluation.Compare.Metrics;

/// <summary>
/// Lexical grounding of a RAG answer: faithfulness = share of the answer's content words (normalised tokens that are
/// not stop words or citation markers) that occur in the context the model was given; citation precision = share of
/// cited sources that contain a reference answer. Both are cheap stand-ins for the NLI judges of RAGAS/ALCE and are
/// named as such in the report.
/// </summary>
public static class Faithfulness
{
    static readonly HashSet<string> StopWords =
    [
        "is", "are", "was", "were", "be", "been", "of", "in", "on", "at", "to", "for", "and", "or", "it", "its", "this",
        "that", "with", "as", "by", "from", "not", "found", "sources", "source", "answer", "i", "you", "he", "she", "they",
        "we", "which", "what", "who",
    ];

    /// <summary>Content words of <paramref name="text"/> (digits-only tokens are citation markers like [1] after normalisation).</summary>
    public static IReadOnlyList<string> ContentWords(string text) =>
        AnswerNormalizer.Tokens(text).Where(t => !StopWords.Contains(t) && !t.All(char.IsDigit)).ToList();

    /// <summary>Share of the answer's content words found in <paramref name="context"/>; NaN when the answer has none.</summary>
    public static double Score(string answer, string context)
    {
        var words = ContentWords(answer);
        if (words.Count == 0) return double.NaN;
        var known = new HashSet<string>(AnswerNormalizer.Tokens(context), StringComparer.Ordinal);
        return (double)words.Count(known.Contains) / words.Count;
    }

    /// <summary>Share of <paramref name="citedSourceTexts"/> that contain one of <paramref name="answers"/> (normalised); NaN without citations or answers.</summary>
    public static double CitationPrecision(IReadOnlyList<string> citedSourceTexts, IReadOnlyList<string> answers)
    {
        if (citedSourceTexts.Count == 0 || answers.Count == 0) return double.NaN;
        var normalised = answers.Select(AnswerNormalizer.Normalize).Where(a => a.Length > 0).ToList();
        if (normalised.Count == 0) return double.NaN;
        return (double)citedSourceTexts.Count(s =>
        {
            var t = " " + AnswerNormalizer.Normalize(s) + " ";
            return normalised.Any(a => t.Contains(" " + a + " ", StringComparison.Ordinal));
        }) / citedSourceTexts.Count;
    }
}
