namespace RagTune.Training.Reporting;

/// <summary>Result of one evaluation pass; accuracy and macro-F1 only for classification.</summary>
public sealed record EvalMetrics(double Loss, double? Accuracy = null, double? MacroF1 = null)
{
    /// <summary>exp(mean token loss).</summary>
    public double Perplexity => Math.Exp(Math.Min(Loss, 700));

    /// <summary>Accuracy and macro-F1 of <paramref name="predicted"/> against <paramref name="gold"/> over <paramref name="classes"/> classes.</summary>
    public static (double Accuracy, double MacroF1) Classification(IReadOnlyList<int> gold, IReadOnlyList<int> predicted, int classes)
    {
        if (gold.Count == 0) return (0, 0);
        var correct = gold.Where((g, i) => g == predicted[i]).Count();
        double f1Sum = 0;
        for (var c = 0; c < classes; c++)
        {
            int tp = 0, fp = 0, fn = 0;
            for (var i = 0; i < gold.Count; i++)
            {
                if (predicted[i] == c && gold[i] == c) tp++;
                else if (predicted[i] == c) fp++;
                else if (gold[i] == c) fn++;
            }
            // sklearn's convention: F1 is 0 for a class with no true or predicted members.
            f1Sum += tp == 0 ? 0 : 2.0 * tp / (2 * tp + fp + fn);
        }
        return ((double)correct / gold.Count, f1Sum / classes);
    }
}
