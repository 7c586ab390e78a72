namespace RagTune.Evaluation.Compare.Metrics;

/// <summary>
/// Generated-answer QA scores as SQuAD defines them: exact match and token F1 after <see cref="AnswerNormalizer"/>,
/// each the maximum over the reference answers (aliases). Also the abstention test for unanswerable questions.
/// </summary>
public static class QaMetrics
{
    /// <summary>1 when the normalised prediction equals a normalised reference, else 0.</summary>
    public static double ExactMatch(string prediction, IReadOnlyList<string> answers)
    {
        var p = AnswerNormalizer.Normalize(WithoutCitations(prediction));
        return answers.Any(a => AnswerNormalizer.Normalize(a) == p) ? 1 : 0;
    }

    /// <summary>Token F1 against the best-matching reference (bag-of-tokens overlap, as the SQuAD script).</summary>
    public static double F1(string prediction, IReadOnlyList<string> answers)
    {
        var p = AnswerNormalizer.Tokens(WithoutCitations(prediction));
        return answers.Count == 0 ? 0 : answers.Max(a => F1(p, AnswerNormalizer.Tokens(a)));
    }

    static double F1(IReadOnlyList<string> prediction, IReadOnlyList<string> truth)
    {
        if (prediction.Count == 0 || truth.Count == 0) return prediction.Count == truth.Count ? 1 : 0;
        var counts = truth.GroupBy(t => t).ToDictionary(g => g.Key, g => g.Count());
        var common = 0;
        foreach (var t in prediction)
            if (counts.TryGetValue(t, out var c) && c > 0) { common++; counts[t] = c - 1; }
        if (common == 0) return 0;
        var precision = (double)common / prediction.Count;
        var recall = (double)common / truth.Count;
        return 2 * precision * recall / (precision + recall);
    }

    /// <summary>Phrases that count as declining to answer (the grounded prompt's and the closed-book prompt's own).</summary>
    public static IReadOnlyList<string> AbstainPhrases { get; } =
        ["not found in the sources", "i don't know", "i do not know", "unanswerable", "cannot be answered", "no answer"];

    /// <summary>Whether <paramref name="prediction"/> declines to answer (empty, or an abstain phrase).</summary>
    public static bool IsAbstention(string prediction)
    {
        var p = AnswerNormalizer.Normalize(prediction);
        return p.Length == 0 || AbstainPhrases.Any(a => p.Contains(AnswerNormalizer.Normalize(a), StringComparison.Ordinal));
    }

    /// <summary>
    /// The answer without its source markers ("Lisbon [2]" → "Lisbon"): a grounded answer cites as the prompt asks, and
    /// the citation is scored separately (citation precision), not as part of the answer's words.
    /// </summary>
    public static string WithoutCitations(string prediction) =>
        System.Text.RegularExpressions.Regex.Replace(prediction ?? "", @"\[\d+(?:\s*,\s*\d+)*\]", " ");
}
