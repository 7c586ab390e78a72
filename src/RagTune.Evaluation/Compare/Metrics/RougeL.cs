namespace RagTune.Evaluation.Compare.Metrics;

/// <summary>
/// ROUGE-L F-measure (Lin 2004) on lower-cased alphanumeric tokens, as Google's rouge-score package computes it
/// without stemming: LCS length over the prediction (precision) and the reference (recall), harmonic mean (β = 1).
/// </summary>
public static class RougeL
{
    /// <summary>The best ROUGE-L F over <paramref name="references"/>.</summary>
    public static double F(string prediction, IReadOnlyList<string> references) =>
        references.Count == 0 ? 0 : references.Max(r => F(prediction, r));

    /// <summary>ROUGE-L F of one prediction against one reference.</summary>
    public static double F(string prediction, string reference)
    {
        var p = Tokens(prediction);
        var r = Tokens(reference);
        if (p.Length == 0 || r.Length == 0) return 0;
        var lcs = Lcs(p, r);
        if (lcs == 0) return 0;
        double precision = (double)lcs / p.Length, recall = (double)lcs / r.Length;
        return 2 * precision * recall / (precision + recall);
    }

    static string[] Tokens(string text) =>
        new string(text.ToLowerInvariant().Select(c => char.IsLetterOrDigit(c) ? c : ' ').ToArray())
            .Split(' ', StringSplitOptions.RemoveEmptyEntries);

    static int Lcs(string[] a, string[] b)
    {
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
                cur[j] = a[i - 1] == b[j - 1] ? prev[j - 1] + 1 : Math.Max(prev[j], cur[j - 1]);
            (prev, cur) = (cur, prev);
        }
        return prev[b.Length];
    }
}
