using System.Text.Json.Nodes;
using RagTune.Application.Compare;
using RagTune.Application.Tests.Compare.Support;

namespace RagTune.Application.Tests.Compare;

/// <summary>The other tasks end to end on the tiny model: multiple choice by log-likelihood, classification, summarisation.</summary>
[Trait("Tier", "Integration")]
public class CompareTasksTests
{
    static string Config(string task, string arms, string train = "train-task.jsonl", string test = "test-task.jsonl") => $$"""
        {
          "task": "{{task}}", "model": "model", "documents": ["docs"], "train": "{{train}}", "test": "{{test}}", "arms": {{arms}},
          "retrieval": { "k": 2, "chunk_tokens": 64, "context_tokens": 512 },
          "training": { "epochs": 1, "learning_rate": 0.001, "lora_r": 4, "max_seq_len": 64, "batch_size": 4 },
          "max_new_tokens": 3, "seed": 5,
          "reference_results": [{"source": "Ovadia et al. 2024", "arm": "rag", "metric": "acc", "value": 0.875, "note": "Mistral-7B"}, {"source": "Ovadia et al. 2024", "arm": "base", "metric": "acc", "value": 0.481}]
        }
        """;

    static void Write(CompareWorld world, string name, IEnumerable<JsonObject> rows) =>
        File.WriteAllLines(Path.Combine(world.Root, name), rows.Select(r => r.ToJsonString()));

    [Fact]
    public async Task MultipleChoice_ScoresOptionsByLogLikelihood_WithPublishedNumbersBeside()
    {
        using var world = new CompareWorld();
        string[] capitals = ["Marnis", "Quell", "Arvent", "Kelm"];
        string[] places = ["Veltoria", "Dranmoor", "Pellucia", "Ostrava"];
        Write(world, "test-task.jsonl", places.Select((p, i) => new JsonObject
        {
            ["id"] = p, ["question"] = $"Which city is the capital of {p}?", ["options"] = new JsonArray(capitals.Select(c => (JsonNode)c).ToArray()), ["answer_index"] = i, ["document"] = p.ToLowerInvariant() + ".md",
        }));
        Write(world, "train-task.jsonl", [new JsonObject { ["id"] = "r", ["question"] = "What is the longest river of Brisk?", ["options"] = new JsonArray("Fen", "Ember"), ["answer_index"] = 0 }]);
        File.WriteAllText(world.ConfigPath, Config("multiple-choice", """["base", "rag", "ft-task", "ft+rag"]"""));
        var report = await CompareRunner.RunAsync(CompareConfig.Load(world.ConfigPath), Path.Combine(world.Root, "out"), new CompareRunOptions { BootstrapResamples = 1000 });

        Assert.Equal("acc", report.MainMetric);
        foreach (var arm in report.Arms)
        {
            Assert.Equal(4, arm.Items.Count);
            Assert.All(arm.Items, i => Assert.Contains(i.Prediction, capitals));
            Assert.Contains("acc_norm", arm.Metrics.Keys);
        }
        Assert.Equal(2, report.ReferenceResults.Count);
        Assert.Single(report.ReferenceAgreement);   // rag vs base: published and ours
        Assert.Contains("Ovadia", File.ReadAllText(Path.Combine(world.Root, "out", "report.md")));
    }

    [Fact]
    public async Task Classify_RagUsesNearestExamples_AndMacroF1HasAnInterval()
    {
        using var world = new CompareWorld();
        string[] good = ["Veltoria", "Marnis", "Oskel", "spring"], bad = ["Dranmoor", "Quell", "Tavis", "Sorrow"];
        var train = new List<JsonObject>();
        var test = new List<JsonObject>();
        for (var i = 0; i < 4; i++)
        {
            train.Add(new JsonObject { ["id"] = $"g{i}", ["text"] = $"{good[i]} {good[(i + 1) % 4]} is the capital", ["label"] = "good" });
            train.Add(new JsonObject { ["id"] = $"b{i}", ["text"] = $"{bad[i]} {bad[(i + 1) % 4]} is the river", ["label"] = "bad" });
            test.Add(new JsonObject { ["id"] = $"tg{i}", ["text"] = $"{good[(i + 2) % 4]} of {good[i]}", ["label"] = "good" });
            test.Add(new JsonObject { ["id"] = $"tb{i}", ["text"] = $"{bad[(i + 2) % 4]} of {bad[i]}", ["label"] = "bad" });
        }
        Write(world, "train-task.jsonl", train);
        Write(world, "test-task.jsonl", test);
        File.WriteAllText(world.ConfigPath, Config("classify", """["base", "rag", "ft-task"]"""));
        var report = await CompareRunner.RunAsync(CompareConfig.Load(world.ConfigPath), Path.Combine(world.Root, "out"), new CompareRunOptions { BootstrapResamples = 1000 });

        Assert.Equal("accuracy", report.MainMetric);
        foreach (var arm in report.Arms)
        {
            Assert.Equal(8, arm.Items.Count);
            Assert.All(arm.Items, i => Assert.NotNull(i.Gold));
            var f1 = arm.Metrics["macro_f1"];
            Assert.InRange(f1.Value, f1.CiLow!.Value - 1e-9, f1.CiHigh!.Value + 1e-9);
        }
        Assert.Contains("nearest labelled training examples", report.Arms.Single(a => a.Name == "rag").Description);
    }

    [Fact]
    public async Task Summarize_ScoresRougeL()
    {
        using var world = new CompareWorld();
        Write(world, "test-task.jsonl", [new JsonObject { ["id"] = "s1", ["text"] = "The capital of Brisk is Lowmere. Travellers like Brisk in spring.", ["summary"] = "Lowmere is the capital of Brisk." }]);
        Write(world, "train-task.jsonl", [new JsonObject { ["id"] = "s2", ["text"] = "The longest river of Fen is the Ember.", ["summary"] = "The Ember is the river of Fen." }]);
        File.WriteAllText(world.ConfigPath, Config("summarize", """["base", "rag", "ft-task"]"""));
        var report = await CompareRunner.RunAsync(CompareConfig.Load(world.ConfigPath), Path.Combine(world.Root, "out"), new CompareRunOptions { BootstrapResamples = 1000 });
        Assert.All(report.Arms, a => Assert.InRange(a.Metrics["rouge_l"].Value, 0, 1));
    }

    [Fact]
    public async Task HybridRetrieval_WithALocalEncoder_RunsTheRagArm()
    {
        using var world = new CompareWorld();
        var encoder = Path.Combine(world.Root, "encoder");
        Directory.CreateDirectory(encoder);
        var fixture = RagTune.Tests.TestPaths.Parity("bert/base-model");
        foreach (var f in new[] { "config.json", "model.safetensors" }) File.Copy(Path.Combine(fixture, f), Path.Combine(encoder, f));
        // WordPiece over single letters: every word embeds (the fixture's vocab_size is 512).
        var vocab = new List<string> { "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]" };
        vocab.AddRange("abcdefghijklmnopqrstuvwxyz0123456789".Select(c => c.ToString()));
        vocab.AddRange("abcdefghijklmnopqrstuvwxyz0123456789".Select(c => "##" + c));
        vocab.AddRange(Enumerable.Range(0, 512 - vocab.Count).Select(i => $"[unused{i}]"));
        File.WriteAllLines(Path.Combine(encoder, "vocab.txt"), vocab);
        world.WriteConfig("""["rag"]""", withUpdate: false);
        var json = File.ReadAllText(world.ConfigPath).Replace("\"mode\": \"bm25\"", "\"mode\": \"hybrid\", \"embed_model\": \"encoder\"");
        File.WriteAllText(world.ConfigPath, json);
        var report = await CompareRunner.RunAsync(CompareConfig.Load(world.ConfigPath), Path.Combine(world.Root, "out"), new CompareRunOptions { BootstrapResamples = 1000 });
        var rag = Assert.Single(report.Arms);
        Assert.Equal(7, rag.Items.Count);
        Assert.Contains("hybrid", rag.Description);
        Assert.True(rag.Metrics["recall@2"].Value >= 0.5, $"recall@2 {rag.Metrics["recall@2"].Value}");   // BM25 half of the fusion finds the place names

        // --force re-runs the arm instead of reusing the cached result.
        var forced = await CompareRunner.RunAsync(CompareConfig.Load(world.ConfigPath), Path.Combine(world.Root, "out"), new CompareRunOptions { BootstrapResamples = 1000, Force = true });
        Assert.False(Assert.Single(forced.Arms).Cached);
        Assert.Equal(rag.Items.Select(i => i.Prediction), forced.Arms[0].Items.Select(i => i.Prediction));
    }
}
