using RagTune.Training.Reporting;

namespace RagTune.Training.Tests.Reporting;

public class EvalMetricsTests
{
    [Fact]
    public void MacroF1IsSklearnsOverTheLabelsInGoldAndPredictions()
    {
        // sklearn.metrics.f1_score([0,1,2,0,1,2], [0,2,1,0,0,1], average="macro") = 0.26666…
        var (accuracy, f1) = EvalMetrics.Classification([0, 1, 2, 0, 1, 2], [0, 2, 1, 0, 0, 1]);
        Assert.Equal(2.0 / 6, accuracy, 12);
        Assert.Equal(0.8 / 3, f1, 12);
        // A class of the model that neither the data nor the predictions contain does not count (sklearn's default labels).
        Assert.Equal(1.0, EvalMetrics.Classification([0, 0, 5], [0, 0, 5]).MacroF1, 12);
        // A predicted class absent from the gold labels counts with F1 0.
        Assert.Equal(0.5 * (2.0 * 2 / (2 * 2 + 1)), EvalMetrics.Classification([0, 0, 0], [0, 0, 1]).MacroF1, 12);
    }
}
