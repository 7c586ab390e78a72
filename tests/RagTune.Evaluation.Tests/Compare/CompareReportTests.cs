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

    /// <summary>An arm that reads retrieved chunks (recall@3 per item) on the same weights as a closed-book twin.</summary>
    static ArmReport Reader(string name, string weights, Func<int, double> score, Func<int, double> found) => Arm(name, score) with
    {
        Weights = weights, Retrieves = true,
        Items = Arm(name, score).Items.Select((x, i) => x with { Scores = new(x.Scores) { ["recall@3"] = found(i) } }).ToList(),
    };

    [Fact]
    public void Diagnosis_TellsRetrievalFromReading()
    {
        var closedBook = Arm("base", i => i % 10 == 0 ? 1 : 0) with { Weights = "base" };
        var ft = Arm("ft-docs", i => i % 10 == 0 ? 1 : 0) with { Weights = "ft-docs" };
        var raft = Reader("raft", "raft", _ => 1, _ => 1);
        // rag found the passage every time and gained 90 points; ft+rag found it every time and gained nothing.
        var report = CompareReportBuilder.Complete(Draft(closedBook, Reader("rag", "base", _ => 1, _ => 1), ft, Reader("ft+rag", "ft-docs", i => i % 10 == 0 ? 1 : 0, _ => 1), raft), 1000);
        Assert.Equal(2, report.Diagnosis.Count);   // raft has no closed-book twin on its weights
        Assert.StartsWith("rag uses what it retrieves: the passage holding the answer was among its retrieved chunks for 100.0 %", report.Diagnosis[0]);
        Assert.Contains("exact_match 100.0 % vs 10.0 % for the same weights closed book (base): 90.0 points", report.Diagnosis[0]);
        Assert.StartsWith("ft+rag: retrieval is not the limit — the passage holding the answer was among its retrieved chunks for 100.0 %", report.Diagnosis[1]);
        Assert.Contains("reading them brings no significant gain", report.Diagnosis[1]);
        Assert.Contains("(ft-docs)", report.Diagnosis[1]);

        // Found for a quarter of the questions and no gain: retrieval is the limit.
        var missed = CompareReportBuilder.Complete(Draft(closedBook, Reader("rag", "base", i => i % 10 == 0 ? 1 : 0, i => i % 4 == 0 ? 1 : 0)), 1000);
        Assert.StartsWith("rag is limited by retrieval: the passage holding the answer was among its retrieved chunks for 25.0 %", missed.Diagnosis.Single());

        // Reports written before arms recorded their weights get no diagnosis rather than a wrong one.
        Assert.Empty(CompareReportBuilder.Complete(Draft(Arm("base", _ => 0), Arm("rag", _ => 1)), 1000).Diagnosis);
        Assert.Contains("## Retrieval or reading?", CompareMarkdown.Render(report));
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
