using System.Text.Json;
using System.Text.Json.Nodes;
using RagTune.Evaluation.Benchmark;

namespace RagTune.Application.Benchmark;

/// <summary>
/// The three <c>compare</c> configs of the demo, over the files <see cref="BenchmarkFiles"/> wrote: QA (generated
/// answers) and multiple choice (options by log-likelihood) with the arms of Ovadia et al. 2024 plus RAFT, and the
/// review classification. Training settings are fixed here for every arm alike (full fine-tuning of the small base)
/// and were chosen before any result was seen.
/// </summary>
internal static class DemoConfigs
{
    /// <summary>File names, relative to the demo folder.</summary>
    public const string Qa = "compare.json", MultipleChoice = "compare-mc.json", Classify = "compare-classify.json";

    /// <summary>Ovadia et al. 2024, "Fine-Tuning or Retrieval?", current-events multiple choice, Mistral-7B.</summary>
    public static IReadOnlyList<(string Arm, double Value)> Ovadia { get; } =
        [("base", 0.481), ("rag", 0.875), ("ft-docs", 0.504), ("ft-paraphrase", 0.588), ("ft+rag", 0.810)];

    /// <summary>
    /// Writes the configs into <paramref name="dir"/> (inputs under <paramref name="benchmarkDir"/>, relative) and returns
    /// their paths. The knowledge tasks' reports carry the base model's <paramref name="reading"/> check as a note: it is
    /// the reason the report can show when retrieval does not help.
    /// </summary>
    public static IReadOnlyList<string> Write(string dir, string benchmarkDir, string modelDir, DemoOptions options, ReadingCheckResult? reading = null)
    {
        string Rel(string p) => Path.GetRelativePath(dir, Path.Combine(benchmarkDir, p)).Replace('\\', '/');
        var preset = options.Preset;
        JsonObject Retrieval()
        {
            var none = Models.Onnx.EmbeddingModelLocator.IsNone(options.EmbedModel);
            var r = new JsonObject { ["mode"] = none ? "bm25" : "hybrid", ["k"] = preset.TopK, ["chunk_tokens"] = 256, ["context_tokens"] = preset.ContextTokens };
            r["embed_model"] = none || Models.Onnx.BuiltInEncoder.Find(options.EmbedModel) is not null ? options.EmbedModel : Path.GetFullPath(options.EmbedModel);
            return r;
        }
        JsonObject Training() => new()
        {
            ["method"] = "full", ["epochs"] = preset.Name == "quick" ? 2 : 8, ["learning_rate"] = 1e-3, ["max_seq_len"] = preset.MaxSeqLen, ["batch_size"] = 16,
            // One sequence per ~100-token document rather than 512-token blocks of five unrelated ones: for the time
            // budget (attention at 512 tokens was ~40 % of ft-docs' work), chosen without looking at any result.
            ["packing"] = false,
        };
        JsonArray KnowledgeArms(bool raft) => new(new JsonNode?[]
        {
            "base", "rag", "ft-docs",
            new JsonObject { ["name"] = "ft-paraphrase", ["rewrites"] = Rel(BenchmarkFiles.Paraphrases) },
            new JsonObject { ["name"] = "ft+rag", ["from"] = "ft-docs" },
            raft ? "raft" : null,
        }.Where(a => a is not null).ToArray());
        var description = $"ragtune demo, preset {preset.Name}, seed {options.Seed}: generated test world (entities never seen in pre-training), held-out question phrasings.";
        JsonArray Notes() => reading is null ? [] : new JsonArray(ReadingNote(reading));
        var qa = new JsonObject
        {
            ["description"] = description, ["task"] = "qa", ["model"] = modelDir,
            ["documents"] = new JsonArray(Rel(BenchmarkFiles.Documents)),
            ["train"] = Rel(BenchmarkFiles.QaTrain), ["test"] = Rel(BenchmarkFiles.QaTest),
            ["update"] = new JsonObject { ["documents"] = new JsonArray(Rel(BenchmarkFiles.UpdateDocuments)), ["test"] = Rel(BenchmarkFiles.QaUpdateTest) },
            ["arms"] = KnowledgeArms(raft: true), ["retrieval"] = Retrieval(), ["training"] = Training(), ["seed"] = options.Seed, ["max_new_tokens"] = 12, ["notes"] = Notes(),
        };
        var mc = new JsonObject
        {
            ["description"] = description, ["task"] = "multiple-choice", ["model"] = modelDir,
            ["documents"] = new JsonArray(Rel(BenchmarkFiles.Documents)),
            ["train"] = Rel(BenchmarkFiles.McTrain), ["test"] = Rel(BenchmarkFiles.McTest),
            ["update"] = new JsonObject { ["documents"] = new JsonArray(Rel(BenchmarkFiles.UpdateDocuments)), ["test"] = Rel(BenchmarkFiles.McUpdateTest) },
            ["arms"] = KnowledgeArms(raft: true), ["retrieval"] = Retrieval(), ["training"] = Training(), ["seed"] = options.Seed, ["notes"] = Notes(),
            ["reference_results"] = new JsonArray(Ovadia.Select(r => (JsonNode)new JsonObject
            {
                ["source"] = "Ovadia et al. 2024, current events (Mistral-7B)", ["arm"] = r.Arm, ["metric"] = "acc", ["value"] = r.Value,
            }).ToArray()),
        };
        var classify = new JsonObject
        {
            ["description"] = $"ragtune demo, preset {preset.Name}, seed {options.Seed}: review polarity; rag = nearest labelled examples in the prompt, ft-task = a classifier trained on them.",
            ["task"] = "classify", ["model"] = modelDir,
            ["train"] = Rel(BenchmarkFiles.ClassifyTrain), ["test"] = Rel(BenchmarkFiles.ClassifyTest),
            ["arms"] = new JsonArray("base", "rag", "ft-task"), ["retrieval"] = Retrieval(), ["training"] = Training(), ["seed"] = options.Seed, ["max_new_tokens"] = 4,
        };
        var indented = new JsonSerializerOptions { WriteIndented = true };
        var paths = new List<string>();
        foreach (var (name, json) in new[] { (Qa, qa), (MultipleChoice, mc), (Classify, classify) })
        {
            var path = Path.Combine(dir, name);
            BenchmarkFiles.WriteAtomic(path, json.ToJsonString(indented) + "\n");
            paths.Add(path);
        }
        return paths;
    }

    /// <summary>The report note on the base model's reading check.</summary>
    public static string ReadingNote(ReadingCheckResult r) =>
        $"The base model's reading check (run by ragtune demo before this comparison, {BenchmarkDemo.ReadingCheckFileName}): on {r.Items} grounded questions about held-out people of the " +
        $"pre-training world (never in any training data; their passages and another person's as the sources), exact match {Share(r.ExactMatch)}, a value of the asked kind taken from the " +
        $"sources {Share(r.ValueFromSources)} (a random pick among the sources' values of that kind: {r.ChanceFromSources:F3}), declined {Share(r.Abstained)}. A model that does not read its " +
        "sources cannot gain from retrieval however well the retriever finds the passage (the published gains from retrieval come from 7B models, which read).";

    static string Share(Evaluation.Compare.Reports.MetricValue m) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{m.Value:F3} (95% CI {m.CiLow:F3}–{m.CiHigh:F3})");
}
