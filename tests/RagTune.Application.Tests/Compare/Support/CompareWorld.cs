using System.Text.Json.Nodes;
using RagTune.Application.Compare;
using RagTune.Retrieval.Generation;

namespace RagTune.Application.Tests.Compare.Support;

/// <summary>
/// A small user-like comparison on disk: markdown documents about fictional places, train/test/update JSONL (with
/// unanswerable questions and gold documents), a tiny chat model over their words, and a compare.json.
/// </summary>
public sealed class CompareWorld : IDisposable
{
    static readonly (string Place, string Capital, string River)[] Places =
    [
        ("Veltoria", "Marnis", "Oskel"), ("Dranmoor", "Quell", "Tavis"), ("Pellucia", "Arvent", "Sorrow"),
        ("Ostrava", "Kelm", "Dunwater"), ("Brisk", "Lowmere", "Fen"), ("Caldera", "Hightop", "Ember"),
    ];

    public string Root { get; }
    public string ModelDir { get; }
    public string ConfigPath => Path.Combine(Root, "compare.json");

    public CompareWorld()
    {
        Root = Path.Combine(Path.GetTempPath(), "ragtune-compare-" + Guid.NewGuid().ToString("N"));
        var docs = Directory.CreateDirectory(Path.Combine(Root, "docs")).FullName;
        var update = Directory.CreateDirectory(Path.Combine(Root, "docs-update")).FullName;
        foreach (var (p, c, r) in Places)
            File.WriteAllText(Path.Combine(docs, p.ToLowerInvariant() + ".md"), $"# {p}\n\nThe capital of {p} is {c}. The longest river of {p} is the {r}. Travellers like {p} in spring.\n");
        var (up, uc, ur) = Places[0];
        File.WriteAllText(Path.Combine(update, up.ToLowerInvariant() + ".md"), $"# {up}\n\nThe capital of {up} is Newhaven. The longest river of {up} is the {ur}. Travellers like {up} in spring.\n");
        var test = new List<JsonObject>();
        var train = new List<JsonObject>();
        foreach (var (p, c, r) in Places)
        {
            test.Add(new JsonObject { ["id"] = $"{p}-capital", ["question"] = $"Which city is the capital of {p}?", ["answers"] = new JsonArray(c), ["document"] = p.ToLowerInvariant() + ".md" });
            train.Add(new JsonObject { ["id"] = $"{p}-river", ["question"] = $"What is the longest river of {p}?", ["answers"] = new JsonArray(r), ["document"] = p.ToLowerInvariant() + ".md" });
        }
        test.Add(new JsonObject { ["id"] = "unknown-1", ["question"] = "Which city is the capital of Zembla?", ["unanswerable"] = true });
        train.Add(new JsonObject { ["id"] = "unknown-train", ["question"] = "What is the longest river of Narnia?", ["unanswerable"] = true });
        var updateTest = new List<JsonObject> { new() { ["id"] = $"{up}-capital-new", ["question"] = $"What is the capital city of {up} now?", ["answers"] = new JsonArray("Newhaven"), ["document"] = up.ToLowerInvariant() + ".md" } };
        Write("test.jsonl", test);
        Write("train.jsonl", train);
        Write("update-test.jsonl", updateTest);
        var texts = Directory.GetFiles(docs).Concat(Directory.GetFiles(update)).Select(File.ReadAllText)
            .Concat(test.Concat(train).Concat(updateTest).Select(o => o.ToJsonString()))
            .Append(new GroundedPromptBuilder().SystemPrompt).Append("Sources : Question : Answer with citations : [ 1 ] [ 2 ] [ 3 ] Not found in the sources .")
            .Append(string.Join(" ", ComparePrompts.ClosedBook("x").Select(m => m.Text))).Append(string.Join(" ", ComparePrompts.Paraphrase("x").Select(m => m.Text)));
        ModelDir = TinyChatModel.Create(Path.Combine(Root, "model"), texts);
    }

    void Write(string name, IEnumerable<JsonObject> rows) => File.WriteAllLines(Path.Combine(Root, name), rows.Select(r => r.ToJsonString()));

    /// <summary>Writes compare.json with <paramref name="arms"/> (JSON array text) and returns its path.</summary>
    public string WriteConfig(string arms, string? model = null, bool withUpdate = true, string extra = "")
    {
        var json = $$"""
        {
          "task": "qa",
          "model": {{System.Text.Json.JsonSerializer.Serialize(model ?? "model")}},
          "documents": ["docs"],
          "train": "train.jsonl",
          "test": "test.jsonl",
          {{(withUpdate ? "\"update\": { \"documents\": [\"docs-update\"], \"test\": \"update-test.jsonl\" }," : "")}}
          "arms": {{arms}},
          "retrieval": { "mode": "bm25", "k": 2, "chunk_tokens": 64, "context_tokens": 512 },
          "training": { "method": "lora", "epochs": 1, "learning_rate": 0.001, "lora_r": 4, "max_seq_len": 64, "batch_size": 4 },
          "max_new_tokens": 4,
          {{extra}}
          "seed": 7
        }
        """;
        File.WriteAllText(ConfigPath, json);
        return ConfigPath;
    }

    public void Dispose()
    {
        try { if (Directory.Exists(Root)) Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
