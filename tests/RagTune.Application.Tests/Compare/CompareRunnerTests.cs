using System.Security.Cryptography;
using System.Text.Json;
using RagTune.Application.Compare;
using RagTune.Application.Tests.Compare.Support;
using RagTune.Evaluation.Compare.Reports;

namespace RagTune.Application.Tests.Compare;

[Trait("Tier", "Integration")]
[Collection(SerialTrainingCollection.Name)]
public class CompareRunnerTests
{
    const string AllArms = """["base", "rag", "ft-docs", {"name": "ft-paraphrase", "paraphrases": 1}, "ft-task", "ft+rag", {"name": "raft", "distractors": 1}]""";

    [Fact]
    public async Task AllArms_OnQa_WriteACompleteReport_CacheArms_AndRepeatWithTheSameSeed()
    {
        using var world = new CompareWorld();
        var config = CompareConfig.Load(world.WriteConfig(AllArms));
        var outDir = Path.Combine(world.Root, "out");
        var steps = new List<CompareProgress>();
        var report = await CompareRunner.RunAsync(config, outDir, new CompareRunOptions { BootstrapResamples = 1000 }, new SyncProgress(steps.Add));

        string[] names = ["base", "rag", "ft-docs", "ft-paraphrase", "ft-task", "ft+rag", "raft"];
        Assert.Equal(names, report.Arms.Select(a => a.Name));
        foreach (var f in new[] { "report.json", "report.md", "report.html" }) Assert.True(File.Exists(Path.Combine(outDir, f)), f);
        var html = File.ReadAllText(Path.Combine(outDir, "report.html"));
        Assert.Contains("<svg", html);
        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org/2000/svg", ""));

        foreach (var arm in report.Arms)
        {
            Assert.Equal(7, arm.Items.Count);                 // every arm answered every item
            Assert.Single(arm.UpdateItems);
            Assert.Equal(TestIds, arm.Items.Select(i => i.Id));   // a random tiny model may well answer with nothing; the ids must all be there
            var em = arm.Metrics["exact_match"];
            Assert.Equal(6, em.N);                            // answerable items only
            Assert.InRange(em.Value, em.CiLow!.Value, em.CiHigh!.Value);
            Assert.Contains("hallucination_rate", arm.Metrics.Keys);
            Assert.Contains("freshness_exact_match", arm.Metrics.Keys);
            Assert.True(arm.Metrics["latency_p95_ms"].Value >= arm.Metrics["latency_p50_ms"].Value);
        }
        Assert.True(report.Arms.SelectMany(a => a.Items).Count(i => i.Prediction.Trim().Length > 0) >= 20, "the arms' answers are mostly empty");
        Assert.Equal(1.0, report.Arms.Single(a => a.Name == "rag").Metrics["recall@2"].Value);  // one short document per place
        Assert.Contains("reingest_seconds", report.Arms.Single(a => a.Name == "rag").Metrics.Keys);
        Assert.True(report.Arms.Single(a => a.Name == "ft-task").Metrics["training_seconds"].Value > 0);
        // Training files are listed with their real hashes; ft+rag names the ft-task model it reuses.
        foreach (var arm in report.Arms.Where(a => a.Name.StartsWith("ft") || a.Name == "raft"))
        {
            var file = Assert.Single(arm.TrainingFiles);
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file.Path))), file.Sha256);
        }
        Assert.Equal(report.Arms.Single(a => a.Name == "ft-task").TrainingFiles, report.Arms.Single(a => a.Name == "ft+rag").TrainingFiles);
        Assert.Contains("reuses the ft-task model", report.Arms.Single(a => a.Name == "ft+rag").Description);
        // rag is judged against base, ft+rag against ft-task (same weights, closed book); raft has no such twin.
        Assert.Equal(["rag", "ft+rag"], report.Diagnosis.Select(d => d.Split(' ')[0].TrimEnd(':')));
        Assert.Contains("(ft-task)", report.Diagnosis[1]);
        Assert.True(report.Integrity.Checked);
        Assert.Equal(0, report.Integrity.Overlaps);
        Assert.Equal(8, report.Integrity.TestQuestions);
        Assert.Equal(21, report.Comparisons.Count(c => c.Metric == "exact_match"));   // every pair of 7 arms
        Assert.Equal(21, report.Comparisons.Count(c => c.Metric == "freshness_exact_match"));
        Assert.All(report.Comparisons, c => Assert.InRange(c.PHolm, c.PValue, 1.0));
        Assert.False(string.IsNullOrWhiteSpace(report.Verdict));
        Assert.Contains(steps, s => s.Step == "integrity");
        Assert.Contains(steps, s => s.Step.StartsWith("train ", StringComparison.Ordinal));

        // The JSON contract.
        using (var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "report.json"))))
        {
            var root = json.RootElement;
            Assert.Equal(7, root.GetProperty("seed").GetInt32());
            Assert.Equal(config.Sha256(), root.GetProperty("config_sha256").GetString());
            var arm = root.GetProperty("arms")[0];
            var metric = arm.GetProperty("metrics").GetProperty("exact_match");
            foreach (var p in new[] { "value", "ci_low", "ci_high" }) Assert.True(metric.TryGetProperty(p, out _), p);
            var item = arm.GetProperty("items")[0];
            foreach (var p in new[] { "id", "prediction", "score" }) Assert.True(item.TryGetProperty(p, out _), p);
            var ft = root.GetProperty("arms")[4].GetProperty("training_files")[0];
            foreach (var p in new[] { "path", "sha256" }) Assert.True(ft.TryGetProperty(p, out _), p);
            var c = root.GetProperty("comparisons")[0];
            foreach (var p in new[] { "a", "b", "metric", "diff", "ci_low", "ci_high", "p_value" }) Assert.True(c.TryGetProperty(p, out _), p);
            Assert.False(string.IsNullOrEmpty(root.GetProperty("verdict").GetString()));
        }

        // A re-run reuses every arm; the numbers are the same.
        var again = await CompareRunner.RunAsync(config, outDir, new CompareRunOptions { BootstrapResamples = 1000 });
        Assert.All(again.Arms, a => Assert.True(a.Cached, a.Name));
        Assert.Equal(Quality(report), Quality(again));
        Assert.Equal(report.Diagnosis, again.Diagnosis);
        Assert.Equal(report.Arms.Select(a => (a.Weights, a.Retrieves)), again.Arms.Select(a => (a.Weights, a.Retrieves)));

        // A fresh run with the same seed gives identical numbers and answers.
        var fresh = await CompareRunner.RunAsync(config with { Arms = config.Arms.Where(a => a.Name is "base" or "rag" or "ft-task").ToList() },
            Path.Combine(world.Root, "out2"), new CompareRunOptions { BootstrapResamples = 1000 });
        foreach (var arm in fresh.Arms)
        {
            var first = report.Arms.Single(a => a.Name == arm.Name);
            Assert.False(arm.Cached);
            Assert.Equal(first.Items.Select(i => i.Prediction), arm.Items.Select(i => i.Prediction));
            Assert.Equal(first.Metrics["exact_match"], arm.Metrics["exact_match"]);
            Assert.Equal(first.Metrics["f1"], arm.Metrics["f1"]);
        }
    }

    [Fact]
    public async Task LeakedTestQuestion_StopsTheRunBeforeTraining()
    {
        using var world = new CompareWorld();
        File.AppendAllText(Path.Combine(world.Root, "train.jsonl"), "{\"id\":\"leak\",\"question\":\"Which city is the capital of Brisk?\",\"answers\":[\"Lowmere\"]}\n");
        var config = CompareConfig.Load(world.WriteConfig("""["base", "ft-task"]""", withUpdate: false));
        var outDir = Path.Combine(world.Root, "out");
        var e = await Assert.ThrowsAsync<CompareConfigException>(() => CompareRunner.RunAsync(config, outDir));
        Assert.Contains("integrity check failed", e.Message);
        Assert.Contains("Brisk-capital", e.Message);
        Assert.False(Directory.Exists(Path.Combine(outDir, "models")));
    }

    [Fact]
    public async Task AFolderCompareDidNotMake_IsNotWrittenInto()
    {
        using var world = new CompareWorld();
        var outDir = Directory.CreateDirectory(Path.Combine(world.Root, "mine")).FullName;
        File.WriteAllText(Path.Combine(outDir, "notes.txt"), "keep me");
        var config = CompareConfig.Load(world.WriteConfig("""["base"]""", withUpdate: false));
        var e = await Assert.ThrowsAsync<CompareConfigException>(() => CompareRunner.RunAsync(config, outDir));
        Assert.Contains("not made by ragtune compare", e.Message);
        Assert.Single(Directory.EnumerateFileSystemEntries(outDir));
    }

    static readonly string[] TestIds = ["Veltoria-capital", "Dranmoor-capital", "Pellucia-capital", "Ostrava-capital", "Brisk-capital", "Caldera-capital", "unknown-1"];

    static string Quality(CompareReport r) =>
        string.Join("\n", r.Arms.SelectMany(a => a.Metrics.Where(m => m.Value.N is not null).OrderBy(m => m.Key).Select(m => $"{a.Name} {m.Key} {m.Value}"))) +
        string.Join("\n", r.Comparisons.Select(c => $"{c.A} {c.B} {c.Metric} {c.Diff} {c.CiLow} {c.CiHigh} {c.PValue}"));

    sealed class SyncProgress(Action<CompareProgress> report) : IProgress<CompareProgress>
    {
        public void Report(CompareProgress value) => report(value);
    }
}
