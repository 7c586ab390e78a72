using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using RagTune.Retrieval.Generation;

namespace RagTune.Evaluation.Benchmark;

/// <summary>
/// Writes a <see cref="BenchmarkWorld"/> as the files <c>ragtune pretrain</c> and <c>ragtune compare</c> read:
/// Markdown document folders, JSONL train/test sets in the compare contract's formats, and the pre-training corpus.
/// Every file is written to a temporary name and renamed, so a crash never leaves a half-written file.
/// </summary>
internal static class BenchmarkFiles
{
    /// <summary>Relative paths inside the benchmark folder.</summary>
    public const string Documents = "documents", UpdateDocuments = "update/documents", Paraphrases = "paraphrases",
        QaTrain = "qa/train.jsonl", QaTest = "qa/test.jsonl", QaUpdateTest = "qa/update-test.jsonl",
        McTrain = "mc/train.jsonl", McTest = "mc/test.jsonl", McUpdateTest = "mc/update-test.jsonl",
        ClassifyTrain = "classify/train.jsonl", ClassifyTest = "classify/test.jsonl", PretrainCorpus = "pretrain/corpus.jsonl";

    /// <summary>Writes the test world's files into <paramref name="dir"/>.</summary>
    public static void WriteTestWorld(BenchmarkWorld world, string dir)
    {
        ArgumentNullException.ThrowIfNull(world);
        WriteDocuments(world.TestDocuments, Path.Combine(dir, Documents));
        WriteDocuments(world.UpdatedDocuments, Path.Combine(dir, UpdateDocuments));
        WriteDocuments(world.Paraphrases, Path.Combine(dir, Paraphrases));
        WriteJsonl(Path.Combine(dir, QaTrain), world.QaTrain.Select(Qa));
        WriteJsonl(Path.Combine(dir, QaTest), world.QaTest.Select(Qa));
        WriteJsonl(Path.Combine(dir, QaUpdateTest), world.QaUpdateTest.Select(Qa));
        WriteJsonl(Path.Combine(dir, McTrain), world.McTrain.Select(Mc));
        WriteJsonl(Path.Combine(dir, McTest), world.McTest.Select(Mc));
        WriteJsonl(Path.Combine(dir, McUpdateTest), world.McUpdateTest.Select(Mc));
        WriteJsonl(Path.Combine(dir, ClassifyTrain), world.ClassifyTrain.Select(Classify));
        WriteJsonl(Path.Combine(dir, ClassifyTest), world.ClassifyTest.Select(Classify));
    }

    /// <summary>Writes the pre-training corpus (<see cref="PretrainCorpusBuilder"/>) to <paramref name="path"/>.</summary>
    public static void WritePretrainCorpus(BenchmarkWorld world, BenchmarkPreset preset, string path, GroundedAnswerOptions? grounded = null,
                                           Func<string, IReadOnlyList<Microsoft.Extensions.AI.ChatMessage>>? closedBook = null) =>
        WriteJsonl(path, PretrainCorpusBuilder.Build(world, preset, grounded, closedBook));

    static JsonObject Qa(QaItem q)
    {
        var o = new JsonObject
        {
            ["id"] = q.Id, ["question"] = q.Question, ["answers"] = new JsonArray(q.Answers.Select(a => (JsonNode)a).ToArray()),
        };
        if (q.Answers.Count > 0) o["answer"] = q.Answers[0];
        if (q.Unanswerable) o["unanswerable"] = true;
        if (q.GoldDocuments.Count > 0) o["gold_documents"] = new JsonArray(q.GoldDocuments.Select(d => (JsonNode)d).ToArray());
        o["entity"] = q.Entity;
        o["attribute"] = q.Attribute;
        return o;
    }

    static JsonObject Mc(McItem m) => new()
    {
        ["id"] = m.Id, ["question"] = m.Question, ["options"] = new JsonArray(m.Options.Select(x => (JsonNode)x).ToArray()),
        ["answer_index"] = m.AnswerIndex, ["gold_documents"] = new JsonArray(m.GoldDocuments.Select(d => (JsonNode)d).ToArray()), ["entity"] = m.Entity, ["attribute"] = m.Attribute,
    };

    static JsonObject Classify(ClassifyItem c) => new() { ["id"] = c.Id, ["text"] = c.Text, ["label"] = c.Label };

    static void WriteDocuments(IEnumerable<BenchmarkDocument> docs, string dir)
    {
        Directory.CreateDirectory(dir);
        foreach (var d in docs) WriteAtomic(Path.Combine(dir, d.FileName), d.Markdown);
    }

    /// <summary>Writes one JSON object per line (UTF-8, no BOM), atomically.</summary>
    public static void WriteJsonl(string path, IEnumerable<JsonObject> records)
    {
        var sb = new StringBuilder();
        var options = new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        foreach (var r in records) sb.Append(r.ToJsonString(options)).Append('\n');
        WriteAtomic(path, sb.ToString());
    }

    /// <summary>Writes <paramref name="text"/> to a temporary file next to <paramref name="path"/> and renames it.</summary>
    public static void WriteAtomic(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temp = path + ".tmp";
        File.WriteAllText(temp, text, new UTF8Encoding(false));
        File.Move(temp, path, overwrite: true);
    }
}
