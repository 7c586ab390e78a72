using System.Globalization;
using System.Text;

namespace RagTune.Evaluation.Compare.Reports;

/// <summary>The report as Markdown: verdict, metric table with intervals, comparisons, costs, published results, integrity.</summary>
public static class CompareMarkdown
{
    /// <summary>Renders <paramref name="report"/>.</summary>
    public static string Render(CompareReport report)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"# ragtune compare — {report.Task}").AppendLine();
        sb.AppendLine($"Seed {report.Seed}; config SHA-256 `{report.ConfigSha256}`; {report.TestItems} test items" +
                      (report.UpdateItems > 0 ? $", {report.UpdateItems} after the update" : "") + $"; {report.BootstrapResamples} bootstrap resamples.").AppendLine();
        sb.AppendLine("## Verdict").AppendLine().AppendLine(report.Verdict).AppendLine();
        sb.AppendLine("## Quality (95% bootstrap intervals)").AppendLine();
        var quality = QualityMetrics(report);
        sb.AppendLine("| arm | " + string.Join(" | ", quality) + " |");
        sb.AppendLine("| --- |" + string.Concat(quality.Select(_ => " ---: |")));
        foreach (var arm in report.Arms)
            sb.AppendLine($"| {arm.Name} | " + string.Join(" | ", quality.Select(q => arm.Metrics.TryGetValue(q, out var m) ? Cell(m) : "–")) + " |");
        sb.AppendLine().AppendLine("## Cost").AppendLine();
        var costs = CostMetrics(report);
        sb.AppendLine("| arm | " + string.Join(" | ", costs) + " |");
        sb.AppendLine("| --- |" + string.Concat(costs.Select(_ => " ---: |")));
        foreach (var arm in report.Arms)
            sb.AppendLine($"| {arm.Name} | " + string.Join(" | ", costs.Select(c => arm.Metrics.TryGetValue(c, out var m) ? Number(m.Value) : "–")) + " |");
        sb.AppendLine().AppendLine("## Paired comparisons").AppendLine();
        sb.AppendLine("| a | b | metric | a − b (points) | 95% CI | test | p | Holm p | n |");
        sb.AppendLine("| --- | --- | --- | ---: | --- | --- | ---: | ---: | ---: |");
        foreach (var c in report.Comparisons)
            sb.AppendLine($"| {c.A} | {c.B} | {c.Metric} | {Pts(c.Diff)} | {Pts(c.CiLow)} to {Pts(c.CiHigh)} | {c.Test} | {P(c.PValue)} | {P(c.PHolm)}{(c.Significant ? " *" : "")} | {c.N} |");
        if (report.Diagnosis.Count > 0)
        {
            sb.AppendLine().AppendLine("## Retrieval or reading?").AppendLine();
            foreach (var line in report.Diagnosis) sb.AppendLine($"- {line}");
        }
        if (report.ReferenceResults.Count > 0)
        {
            sb.AppendLine().AppendLine("## Published results beside ours").AppendLine();
            sb.AppendLine("| source | arm | metric | published (%) | ours (%, 95% CI) | note |");
            sb.AppendLine("| --- | --- | --- | ---: | ---: | --- |");
            foreach (var r in report.ReferenceResults)
            {
                var ours = report.Arms.FirstOrDefault(a => a.Name == r.Arm)?.Metrics.GetValueOrDefault(r.Metric);
                sb.AppendLine($"| {r.Source} | {r.Arm} | {r.Metric} | {Pts(r.Value)} | {(ours is null ? "–" : Cell(ours))} | {r.Note} |");
            }
            sb.AppendLine();
            foreach (var line in report.ReferenceAgreement) sb.AppendLine($"- {line}");
        }
        sb.AppendLine().AppendLine("## Integrity").AppendLine();
        sb.AppendLine($"{(report.Integrity.Checked ? "Checked" : "Not checked")}: {report.Integrity.TestQuestions} test questions against {report.Integrity.TrainingRecords} training records, {report.Integrity.Overlaps} overlaps. {report.Integrity.Method}");
        sb.AppendLine().AppendLine("## Arms").AppendLine();
        foreach (var arm in report.Arms)
        {
            sb.AppendLine($"- **{arm.Name}**: {arm.Description}{(arm.Cached ? " (cached result)" : "")}");
            foreach (var f in arm.TrainingFiles) sb.AppendLine($"  - trained on `{f.Path}` ({f.Records} records, sha256 `{f.Sha256}`)");
        }
        if (report.Notes.Count > 0)
        {
            sb.AppendLine().AppendLine("## Notes").AppendLine();
            foreach (var n in report.Notes) sb.AppendLine($"- {n}");
        }
        return sb.ToString();
    }

    /// <summary>Quality metrics present in any arm (those with intervals), main metric first.</summary>
    public static List<string> QualityMetrics(CompareReport report) =>
        report.Arms.SelectMany(a => a.Metrics.Where(m => m.Value.CiLow is not null || m.Value.N is not null).Select(m => m.Key)).Distinct()
            .OrderBy(m => m == report.MainMetric ? 0 : m.StartsWith("freshness_", StringComparison.Ordinal) ? 2 : 1).ThenBy(m => m, StringComparer.Ordinal).ToList();

    /// <summary>Cost metrics (no interval).</summary>
    public static List<string> CostMetrics(CompareReport report) =>
        report.Arms.SelectMany(a => a.Metrics.Where(m => m.Value.CiLow is null && m.Value.N is null).Select(m => m.Key)).Distinct().Order(StringComparer.Ordinal).ToList();

    static string Cell(MetricValue m) => double.IsNaN(m.Value) ? "–"
        : m.CiLow is { } lo && m.CiHigh is { } hi ? $"{Pts(m.Value)} ({Pts(lo)}–{Pts(hi)})" : Pts(m.Value);

    static string Pts(double v) => double.IsNaN(v) ? "–" : (Math.Abs(v) < 5e-4 ? 0 : 100 * v).ToString("F1", CultureInfo.InvariantCulture);

    static string P(double p) => p.ToString("G3", CultureInfo.InvariantCulture);

    internal static string Number(double v) => double.IsNaN(v) ? "–" : Math.Abs(v) >= 100 ? v.ToString("N0", CultureInfo.InvariantCulture) : v.ToString("G4", CultureInfo.InvariantCulture);
}
