using System.Text.Encodings.Web;
using System.Text.Json;
using ScottPlot;

namespace RagTune.Evaluation.Comparison;

/// <summary>Writes a <see cref="DemoReport"/> as <c>report.json</c> and a bar chart <c>chart.png</c> (ScottPlot).</summary>
public static class DemoReportWriter
{
    /// <summary>File name of the JSON report.</summary>
    public const string JsonFileName = "report.json";

    /// <summary>File name of the chart.</summary>
    public const string ChartFileName = "chart.png";

    /// <summary>JSON options of the report (camelCase, indented, unescaped).</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Writes both files into <paramref name="dir"/> (created if needed).</summary>
    public static void Write(DemoReport report, string dir)
    {
        ArgumentNullException.ThrowIfNull(report);
        Directory.CreateDirectory(dir);
        // Temp + rename: a reader never sees half a report.
        var json = Path.Combine(dir, JsonFileName);
        File.WriteAllText(json + ".tmp", JsonSerializer.Serialize(report, JsonOptions));
        File.Move(json + ".tmp", json, overwrite: true);
        SaveChart(report, Path.Combine(dir, ChartFileName));
    }

    /// <summary>Reads a report written by <see cref="Write"/>.</summary>
    public static DemoReport Read(string path) =>
        JsonSerializer.Deserialize<DemoReport>(File.ReadAllText(path), JsonOptions)
        ?? throw new InvalidDataException($"{path}: empty report.");

    static void SaveChart(DemoReport report, string path)
    {
        // Per system, three bars: accuracy before the update, on the changed facts after it, and how often stale.
        var series = new (string Label, Func<DemoSystemResult, double> Value, Color Color)[]
        {
            ("accuracy (all facts)", s => s.Accuracy, Colors.SteelBlue),
            ("accuracy on changed facts after update", s => s.UpdatedAccuracy, Colors.SeaGreen),
            ("stale answers after update", s => s.StaleRate, Colors.IndianRed),
        };
        var plot = new Plot();
        var bars = new List<Bar>();
        for (var i = 0; i < report.Systems.Count; i++)
            for (var j = 0; j < series.Length; j++)
                bars.Add(new Bar
                {
                    Position = i * (series.Length + 1) + j,
                    Value = series[j].Value(report.Systems[i]) * 100,
                    FillColor = series[j].Color,
                });
        plot.Add.Bars(bars);
        plot.Axes.Bottom.SetTicks(
            report.Systems.Select((_, i) => (double)(i * (series.Length + 1) + 1)).ToArray(),
            report.Systems.Select(s => s.Name).ToArray());
        foreach (var (label, _, color) in series)
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = label, FillColor = color });
        plot.ShowLegend(Alignment.UpperLeft);
        plot.Axes.SetLimitsY(0, 140); // room above 100 % for the legend
        plot.YLabel("% of questions");
        plot.Title($"RagTune demo (seed {report.Seed}): {report.Facts} facts, {report.ChangedFacts} changed by the update");
        plot.SavePng(path, 900, 500);
    }
}
