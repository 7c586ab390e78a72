using System.Text.Json;
using RagTune.Application.Benchmark;
using RagTune.Evaluation.Benchmark;

namespace RagTune.Application.Tests.Benchmark;

/// <summary>
/// The reduced demo (<c>ragtune demo --quick</c>) end to end, twice with the same seed: worlds, pre-training (the second
/// run takes the base model from the cache), the three comparisons. Asserts the reports' structure, that every arm
/// answered every test item, the integrity check, and identical numbers on the repeat — never which arm wins.
/// </summary>
[Trait("Tier", "Integration")]
public class DemoEndToEndTests
{
    /// <summary>Metrics that are functions of the predictions (timings and sizes are not expected to repeat).</summary>
    static readonly string[] Deterministic = ["exact_match", "f1", "acc", "acc_norm", "accuracy", "macro_f1", "abstention_rate", "hallucination_rate", "faithfulness", "citation_precision"];

    [Fact]
    public async Task QuickDemo_WritesEveryReport_EvaluatesEveryItem_AndRepeatsWithTheSameSeed()
    {
        var root = Directory.CreateTempSubdirectory("ragtune-demo-e2e").FullName;
        try
        {
            var cache = Path.Combine(root, "cache");
            var lines = new List<string>();
            DemoOptions Options(string name) => new() { OutputDir = Path.Combine(root, name), Seed = 11, Preset = BenchmarkPreset.Quick, CacheDir = cache };
            var first = await DemoCompare.Create(Options("a"), new SyncProgress(lines.Add)).RunAsync();
            var second = await DemoCompare.Create(Options("b"), new SyncProgress(lines.Add)).RunAsync();
            Assert.True(first.Pretrained);
            Assert.False(second.Pretrained);   // the base model came from the cache
            Assert.Equal(first.ModelDir, second.ModelDir);
            Assert.Contains(lines, l => l.Contains("pre-training step", StringComparison.Ordinal));

            // The base model's reading check: every held-out question asked, the same numbers on the repeat.
            var world0 = WorldGenerator.Generate(11, BenchmarkPreset.Quick);
            Assert.Equal(world0.ValidationEntities.Count * 5, first.Reading.Items);
            var none = Array.Empty<ReadingCheckPrediction>();
            Assert.Equal(first.Reading with { Predictions = none }, second.Reading with { Predictions = none });
            Assert.Equal(first.Reading.Predictions, second.Reading.Predictions);
            Assert.Equal(first.Reading.Items, first.Reading.Predictions.Count);
            using (var check = JsonDocument.Parse(File.ReadAllText(Path.Combine(first.OutputDir, BenchmarkDemo.ReadingCheckFileName))))
            {
                var em = check.RootElement.GetProperty("exact_match");
                Assert.InRange(em.GetProperty("value").GetDouble(), em.GetProperty("ci_low").GetDouble(), em.GetProperty("ci_high").GetDouble());
                Assert.InRange(check.RootElement.GetProperty("chance_from_sources").GetDouble(), 0.2, 1.0);
            }

            var world = WorldGenerator.Generate(11, BenchmarkPreset.Quick);
            var expected = new Dictionary<string, (int Items, string Metric, string[] Arms)>
            {
                [""] = (world.QaTest.Count, "exact_match", ["base", "rag", "ft-docs", "ft-paraphrase", "ft+rag", "raft"]),
                [BenchmarkDemo.MultipleChoiceFolder] = (world.McTest.Count, "acc", ["base", "rag", "ft-docs", "ft-paraphrase", "ft+rag", "raft"]),
                [BenchmarkDemo.ClassifyFolder] = (world.ClassifyTest.Count, "accuracy", ["base", "rag", "ft-task"]),
            };
            foreach (var (folder, (items, metric, arms)) in expected)
            {
                var a = Path.Combine(first.OutputDir, folder);
                foreach (var f in new[] { "report.json", "report.md", "report.html" }) Assert.True(File.Exists(Path.Combine(a, f)), Path.Combine(a, f));
                using var ra = JsonDocument.Parse(File.ReadAllText(Path.Combine(a, "report.json")));
                using var rb = JsonDocument.Parse(File.ReadAllText(Path.Combine(second.OutputDir, folder, "report.json")));
                var report = ra.RootElement;
                Assert.Equal(11, report.GetProperty("seed").GetInt32());
                Assert.Matches("^[0-9a-f]{64}$", report.GetProperty("config_sha256").GetString()!);
                Assert.False(string.IsNullOrWhiteSpace(report.GetProperty("verdict").GetString()));
                Assert.NotEmpty(report.GetProperty("comparisons").EnumerateArray());
                Assert.True(report.GetProperty("integrity").GetProperty("checked").GetBoolean());
                Assert.Equal(0, report.GetProperty("integrity").GetProperty("overlaps").GetInt32());
                Assert.Equal(arms, report.GetProperty("arms").EnumerateArray().Select(x => x.GetProperty("name").GetString()));
                // The knowledge tasks' reports carry the reason they can show when retrieval does not help: the base
                // model's reading check as a note, and for rag and ft+rag whether retrieval or reading limits them.
                if (folder != BenchmarkDemo.ClassifyFolder)
                {
                    Assert.Contains(report.GetProperty("notes").EnumerateArray(), n => n.GetString()!.StartsWith("The base model's reading check", StringComparison.Ordinal));
                    var diagnosis = report.GetProperty("diagnosis").EnumerateArray().Select(d => d.GetString()!).ToList();
                    Assert.Equal(["rag", "ft+rag"], diagnosis.Select(d => d.Split(' ')[0].TrimEnd(':')));
                }

                var predictions = new HashSet<string>();
                foreach (var arm in report.GetProperty("arms").EnumerateArray())
                {
                    var name = arm.GetProperty("name").GetString();
                    var armItems = arm.GetProperty("items").EnumerateArray().ToList();
                    Assert.Equal(items, armItems.Count);
                    Assert.All(armItems, i => Assert.NotNull(i.GetProperty("prediction").GetString()));
                    foreach (var i in armItems) predictions.Add(i.GetProperty("prediction").GetString()!);
                    var m = arm.GetProperty("metrics").GetProperty(metric);
                    Assert.InRange(m.GetProperty("value").GetDouble(), m.GetProperty("ci_low").GetDouble(), m.GetProperty("ci_high").GetDouble());
                    // Every QA test item names its gold document, so the arms that retrieve report recall@k; with the
                    // built-in encoder and whole-document chunks the gold document is found for most items.
                    if (name is "rag" or "ft+rag" or "raft" && folder == "")
                        Assert.InRange(arm.GetProperty("metrics").GetProperty("recall@3").GetProperty("value").GetDouble(), 0.5, 1.0);
                    if (name != "base" && name != "rag")
                        Assert.All(arm.GetProperty("training_files").EnumerateArray(), f => Assert.Matches("^[0-9a-f]{64}$", f.GetProperty("sha256").GetString()!));
                }
                // The quick base model is barely trained, so its generations may all be empty; multiple choice picks an
                // option per item by log-likelihood, and QA mixes generations with the grounded path's abstentions.
                if (folder != BenchmarkDemo.ClassifyFolder) Assert.True(predictions.Count > 1, $"{folder}: every arm gave the same prediction to every item");

                // Same seed → the same predictions, scores and quality numbers.
                foreach (var (x, y) in report.GetProperty("arms").EnumerateArray().Zip(rb.RootElement.GetProperty("arms").EnumerateArray()))
                {
                    Assert.Equal(Dump(x.GetProperty("items")), Dump(y.GetProperty("items")));
                    foreach (var key in Deterministic)
                        if (x.GetProperty("metrics").TryGetProperty(key, out var mx))
                            Assert.Equal(mx.GetProperty("value").GetDouble(), y.GetProperty("metrics").GetProperty(key).GetProperty("value").GetDouble());
                }
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>Each item's id, prediction and score (latency varies run to run).</summary>
    static string Dump(JsonElement items) =>
        string.Join("\n", items.EnumerateArray().Select(i => $"{i.GetProperty("id")}\t{i.GetProperty("prediction")}\t{(i.TryGetProperty("score", out var s) ? s.ToString() : "")}"));

    [Fact]
    public async Task ForeignNonEmptyFolder_IsRefusedBeforeAnyWork()
    {
        var dir = Directory.CreateTempSubdirectory("ragtune-demo-foreign").FullName;
        var keep = Path.Combine(dir, "notes.txt");
        File.WriteAllText(keep, "mine");
        try
        {
            var demo = DemoCompare.Create(new DemoOptions { OutputDir = dir, Preset = BenchmarkPreset.Quick, CacheDir = Path.Combine(dir, "cache") });
            var e = await Assert.ThrowsAsync<DemoOutputException>(() => demo.RunAsync());
            Assert.Contains("not made by the demo", e.Message);
            Assert.Equal(["notes.txt"], Directory.GetFileSystemEntries(dir).Select(Path.GetFileName));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    sealed class SyncProgress(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }
}
