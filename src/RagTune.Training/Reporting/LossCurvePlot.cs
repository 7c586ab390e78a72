namespace RagTune.Training.Reporting;

/// <summary>Draws train (and eval) loss against step to a PNG with ScottPlot.</summary>
public static class LossCurvePlot
{
    /// <summary>Writes <paramref name="path"/>; does nothing when there are no points.</summary>
    public static void Save(string path, IReadOnlyList<(double Step, double Loss)> train, IReadOnlyList<(double Step, double Loss)> eval)
    {
        if (train.Count == 0) return;
        var plot = new ScottPlot.Plot();
        var t = plot.Add.Scatter(train.Select(p => p.Step).ToArray(), train.Select(p => p.Loss).ToArray());
        t.LegendText = "train loss";
        t.MarkerSize = 0;
        if (eval.Count > 0)
        {
            var e = plot.Add.Scatter(eval.Select(p => p.Step).ToArray(), eval.Select(p => p.Loss).ToArray());
            e.LegendText = "eval loss";
        }
        plot.XLabel("optimizer step");
        plot.YLabel("loss");
        plot.ShowLegend();
        plot.SavePng(path, 900, 500);
    }
}
