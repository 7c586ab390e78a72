namespace RagTune.Training.Reporting;

/// <summary>Result of one evaluation pass; accuracy and macro-F1 only for classification.</summary>
public sealed record EvalMetrics(double Loss, double? Accuracy = null, double? MacroF1 = null)
{
    /// <summary>exp(mean token loss).</summary>
    public double Perplexity => Math.Exp(Math.Min(Loss, 700));

    /// <summary>
    /// Accuracy and macro-F1 of <paramref name="predicted"/> against <paramref name="gold"/>. Macro-F1 is sklearn's
    /// <c>f1_score(gold, predicted, average="macro")</c> with its default label set: the classes present in the gold
    /// labels or the predictions (a class of the model that neither contains does not count). The trainer's evaluation
    /// and <c>classify</c> both use this, so the same model and data give one number.
    /// </summary>
    public static (double Accuracy, double MacroF1) Classification(IReadOnlyList<int> gold, IReadOnlyList<int> predicted)
    {
        if (gold.Count != predicted.Count) throw new ArgumentException($"{gold.Count} gold labels but {predicted.Count} predictions.", nameof(predicted));
        if (gold.Count == 0) return (0, 0);
        var correct = gold.Where((g, i) => g == predicted[i]).Count();
        var classes = gold.Concat(predicted).Distinct().ToList();
        double f1Sum = 0;
        foreach (var c in classes)
        {
            int tp = 0, fp = 0, fn = 0;
            for (var i = 0; i < gold.Count; i++)
            {
                if (predicted[i] == c && gold[i] == c) tp++;
                else if (predicted[i] == c) fp++;
                else if (gold[i] == c) fn++;
            }
            f1Sum += tp == 0 ? 0 : 2.0 * tp / (2 * tp + fp + fn);
        }
        return ((double)correct / gold.Count, f1Sum / classes.Count);
    }
}
