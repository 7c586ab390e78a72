using System.Diagnostics;
using System.Text.Json;
using RagTune.Models.Onnx;
using RagTune.Retrieval.Store;

namespace RagTune.Cli.Tests;

/// <summary>
/// The contract verbs with the real built-in encoders, each run as its own <c>ragtune</c> process with the model
/// cache pointed at the test cache (<c>RAGTUNE_MODEL_CACHE</c> in the child's environment only).
/// </summary>
public sealed class BuiltInEmbedderCliTests
{
    static readonly string Cache = Path.Combine(Path.GetTempPath(), "ragtune-test-models");

    static async Task<(int Exit, string Out, string Err)> Run(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ragtune.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["RAGTUNE_MODEL_CACHE"] = Cache;
        using var p = Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        return (p.ExitCode, await stdout, await stderr);
    }

    [Fact]
    [Trait("Tier", "Integration")]
    public async Task ImportOnnxThenForwardAndTokenize()
    {
        var root = RagTune.Tests.TestPaths.NewTempDir("ragtune-onnx-cli");
        var encoder = BuiltInEncoder.MiniLm;
        var dll = encoder.LocateAssembly();
        var onnx = Path.Combine(root, "model.onnx");
        var vocab = Path.Combine(root, "vocab.txt");
        File.WriteAllBytes(onnx, AssemblyResourceReader.Read(dll, encoder.OnnxResource));
        File.WriteAllBytes(vocab, AssemblyResourceReader.Read(dll, encoder.VocabResource));
        var model = Path.Combine(root, "minilm");

        var import = await Run("model", "import-onnx", onnx, "--vocab", vocab, "--out", model);
        Assert.True(import.Exit == 0, import.Err);
        Assert.Contains("6 layers, hidden 384, 12 heads", import.Out);

        var tokens = await Run("tokenize", "--model", model, "--text", "Hello, World!");
        Assert.Equal("101,7592,1010,2088,999,102", tokens.Out.Trim());

        var input = Path.Combine(root, "in.json");
        var output = Path.Combine(root, "out.json");
        File.WriteAllText(input, """{"input_ids": [[101, 7592, 1010, 2088, 999, 102]]}""");
        var forward = await Run("model", "forward", "--model", model, "--input", input, "--output", output);
        Assert.True(forward.Exit == 0, forward.Err);
        using var json = JsonDocument.Parse(File.ReadAllText(output));
        var shape = json.RootElement.GetProperty("outputs").GetProperty("last_hidden_state").GetProperty("shape");
        Assert.Equal([1, 6, 384], shape.EnumerateArray().Select(e => e.GetInt32()));

        // A vocabulary that does not fit the embedding matrix: exit 3, the file named, nothing written.
        File.WriteAllLines(vocab, ["[PAD]", "[UNK]"]);
        var bad = await Run("model", "import-onnx", onnx, "--vocab", vocab, "--out", Path.Combine(root, "bad"));
        Assert.Equal(3, bad.Exit);
        Assert.Contains(vocab, bad.Err);
        Assert.False(Directory.Exists(Path.Combine(root, "bad")));
        Directory.Delete(root, recursive: true);
    }

    [Fact]
    [Trait("Tier", "Integration")]
    public async Task NewKnowledgeBasesEmbedWithMiniLmAndSearchHybridByDefault()
    {
        var root = RagTune.Tests.TestPaths.NewTempDir("ragtune-default-embed");
        var docs = Path.Combine(root, "docs");
        Directory.CreateDirectory(docs);
        File.WriteAllText(Path.Combine(docs, "bread.txt"), "Fresh loaves come out of the village oven before sunrise.");
        File.WriteAllText(Path.Combine(docs, "river.txt"), "Every spring the river floods the low meadows of the valley.");
        File.WriteAllText(Path.Combine(docs, "tower.txt"), "The lighthouse keeper climbs the tower each night to light the lamp.");
        var kb = Path.Combine(root, "kb");

        var ingest = await Run("ingest", "--kb", kb, docs);
        Assert.True(ingest.Exit == 0, ingest.Err);
        using (var store = KnowledgeBase.OpenReadOnly(kb))
        {
            var stats = store.GetStats();
            Assert.Equal("minilm", stats.EmbeddingModel);
            Assert.Equal(3, stats.EmbeddedChunks);
            Assert.Equal(384, stats.EmbeddingDimensions);
        }
        // No word of the query occurs in the bread document: only the dense half of hybrid can find it.
        var search = await Run("search", "--kb", kb, "--query", "where is baking done", "--json");
        Assert.True(search.Exit == 0, search.Err);
        using var json = JsonDocument.Parse(search.Out);
        Assert.Equal("hybrid", json.RootElement[0].GetProperty("mode").GetString());
        Assert.EndsWith("bread.txt", json.RootElement[0].GetProperty("source").GetString());

        // --embed-model none keeps a knowledge base BM25-only, and later ingests without the option keep it so.
        var bm25Kb = Path.Combine(root, "kb-bm25");
        Assert.Equal(0, (await Run("ingest", "--kb", bm25Kb, "--embed-model", "none", docs)).Exit);
        File.WriteAllText(Path.Combine(docs, "mill.txt"), "The mill grinds wheat into flour.");
        Assert.Equal(0, (await Run("ingest", "--kb", bm25Kb, docs)).Exit);
        using (var store = KnowledgeBase.OpenReadOnly(bm25Kb))
        {
            Assert.Null(store.GetStats().EmbeddingModel);
            Assert.Equal(0, store.GetStats().EmbeddedChunks);
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(root, true); } catch (IOException) { }
    }
}
