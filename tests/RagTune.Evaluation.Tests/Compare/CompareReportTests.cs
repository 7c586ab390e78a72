using RagTune.Evaluation.Compare.Reports;

namespace RagTune.Evaluation.Tests.Compare;

public class CompareReportTests
{
    static ArmReport Arm(string name, Func<int, double> score, int n = 40) => new()
    {
        Name = name,
        Description = name,
        Items = Enumerable.Range(0, n).Select(i => new ItemResult { Id = $"q{i}", Prediction = "x", Score = score(i), Scores = new() { ["exact_match"] = score(i) }, LatencyMs = 1 + i }).ToList(),
        Metrics = new() { ["training_seconds"] = new MetricValue(name == "ft" ? 10 : 0), ["latency_p50_ms"] = new MetricValue(20), ["latency_p95_ms"] = new MetricValue(39) },
    };

    static CompareReport Draft(params ArmReport[] arms) => new()
    {
        Task = "qa", MainMetric = "exact_match", Seed = 3, ConfigSha256 = "abc", TestItems = 40, Arms = arms.ToList(),
        ReferenceResults = [new ReferenceResult { Source = "paper", Arm = "rag", Metric = "exact_match", Value = 0.9 }, new ReferenceResult { Source = "paper", Arm = "ft", Metric = "exact_match", Value = 0.5 }],
    };

    [Fact]
    public void Verdict_CallsOnlySignificantDifferences()
    {
        var report = CompareReportBuilder.Complete(Draft(Arm("rag", _ => 1), Arm("ft", i => i % 10 == 0 ? 1 : 0), Arm("ft2", i => i % 10 == 0 || i % 10 == 1 ? 1 : 0)), 1000);

        var ragVsFt = report.Comparisons.Single(c => c.A == "rag" && c.B == "ft");
        Assert.Equal(0.9, ragVsFt.Diff, 12);
        Assert.Equal("mcnemar_exact", ragVsFt.Test);
        Assert.True(ragVsFt.Significant);
        Assert.InRange(ragVsFt.Diff, ragVsFt.CiLow, ragVsFt.CiHigh);
        var close = report.Comparisons.Single(c => c.A == "ft" && c.B == "ft2");   // 4 discordant items: p = 0.125
        Assert.False(close.Significant);
        Assert.Contains("rag beats ft by 90.0 points", report.Verdict);
        // Each pair's interval is uncorrected and its p is shown raw and Holm-adjusted (3 comparisons: at most 3×).
        Assert.Contains("(uncorrected)", report.Verdict);
        var p = ragVsFt.PValue.ToString("G3", System.Globalization.CultureInfo.InvariantCulture);
        var holm = ragVsFt.PHolm.ToString("G3", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains($"McNemar exact p = {p}, Holm-adjusted p = {holm}", report.Verdict);
        Assert.True(ragVsFt.PHolm >= ragVsFt.PValue && ragVsFt.PHolm <= 3 * ragVsFt.PValue + 1e-15);
        Assert.Contains("agrees", report.ReferenceAgreement.Single());
        var em = report.Arms[0].Metrics["exact_match"];
        Assert.Equal((1.0, 1.0, 1.0), (em.Value, em.CiLow!.Value, em.CiHigh!.Value));
    }

    [Fact]
    public void IdenticalArms_AreIndistinguishable()
    {
        var report = CompareReportBuilder.Complete(Draft(Arm("rag", i => i % 2), Arm("ft", i => i % 2)), 1000);
        Assert.Contains("indistinguishable", report.Verdict);
        Assert.Equal(1.0, report.Comparisons.Single().PValue);
    }

    [Fact]
    public void Writer_ProducesTheContractFilesAndReadsBack()
    {
        var dir = Path.Combine(Path.GetTempPath(), "ragtune-report-" + Guid.NewGuid().ToString("N"));
        try
        {
            var report = CompareReportBuilder.Complete(Draft(Arm("rag", _ => 1), Arm("ft", i => i % 3 == 0 ? 1 : 0)), 1000);
            CompareReportWriter.Write(report, dir);
            var json = File.ReadAllText(Path.Combine(dir, "report.json"));
            foreach (var key in new[] { "\"arms\"", "\"ci_low\"", "\"ci_high\"", "\"training_files\"", "\"comparisons\"", "\"p_value\"", "\"verdict\"", "\"seed\"", "\"config_sha256\"" })
                Assert.Contains(key, json);
            var back = CompareReportWriter.Read(Path.Combine(dir, "report.json"));
            Assert.Equal(report.Verdict, back.Verdict);
            Assert.Equal(report.Arms[1].Metrics["exact_match"], back.Arms[1].Metrics["exact_match"]);
            var html = File.ReadAllText(Path.Combine(dir, "report.html"));
            Assert.Equal(3, html.Split("<svg").Length - 1);
            Assert.Contains(">100%<", html);                    // the quality axis ends at 100 %
            Assert.DoesNotContain("<script", html);
            Assert.Contains("| rag | ft | exact_match |", File.ReadAllText(Path.Combine(dir, "report.md")));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }
}
