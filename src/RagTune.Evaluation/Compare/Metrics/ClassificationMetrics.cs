namespace RagTune.Evaluation.Compare.Metrics;

/// <summary>Accuracy and macro-F1 (scikit-learn's <c>f1_score(average="macro")</c>: unweighted mean over the gold labels' classes, 0 for a class never predicted correctly).</summary>
public static class ClassificationMetrics
{
    /// <summary>Macro-F1 over the classes in <paramref name="gold"/> (a prediction outside them only costs precision of nothing and recall of its item).</summary>
    public static double MacroF1(IReadOnlyList<string> predicted, IReadOnlyList<string> gold) => MacroF1(predicted, gold, Enumerable.Range(0, gold.Count).ToArray());

    /// <summary>Macro-F1 over the items <paramref name="indices"/> (a bootstrap resample).</summary>
    public static double MacroF1(IReadOnlyList<string> predicted, IReadOnlyList<string> gold, IReadOnlyList<int> indices)
    {
        if (indices.Count == 0) return double.NaN;
        var classes = new HashSet<string>(indices.Select(i => gold[i]), StringComparer.Ordinal);
        foreach (var i in indices) classes.Add(predicted[i]);
        var sum = 0.0;
        var counted = 0;
        foreach (var c in classes)
        {
            int tp = 0, fp = 0, fn = 0;
            foreach (var i in indices)
            {
                var p = predicted[i] == c;
                var g = gold[i] == c;
                if (p && g) tp++; else if (p) fp++; else if (g) fn++;
            }
            // scikit-learn averages over the union of labels present in y_true and y_pred.
            counted++;
            sum += tp == 0 ? 0 : 2.0 * tp / (2.0 * tp + fp + fn);
        }
        return sum / counted;
    }

    /// <summary>
    /// The label <paramref name="output"/> names: an exact (normalised) match first, else the label whose normalised
    /// form occurs earliest in the output; "" when none does.
    /// </summary>
    public static string MatchLabel(string output, IReadOnlyList<string> labels)
    {
        var o = AnswerNormalizer.Normalize(output);
        foreach (var l in labels) if (AnswerNormalizer.Normalize(l) == o) return l;
        var best = "";
        var at = int.MaxValue;
        foreach (var l in labels)
        {
            var n = AnswerNormalizer.Normalize(l);
            if (n.Length == 0) continue;
            var i = (" " + o + " ").IndexOf(" " + n + " ", StringComparison.Ordinal);
            if (i >= 0 && i < at) (best, at) = (l, i);
        }
        return best;
    }
}
