using RagTune.Application;
using RagTune.Retrieval.Retrieval;
using RagTune.Retrieval.Store;

namespace RagTune.Cli.Tests;

/// <summary>
/// End to end with the real local encoder: the tiny BERT parity fixture (random weights, 64 dims) plus a WordPiece
/// vocabulary written here, through <c>ragtune ingest --embed-model</c>, then dense and hybrid retrieval.
/// </summary>
public class LocalEncoderRagTests
{
    static readonly string[] Texts =
    [
        "the lighthouse keeper climbs the tower every night",
        "fresh bread is baked in the village oven each morning",
        "the river floods the valley in early spring",
    ];

    static string TinyEncoder(string root)
    {
        var dir = Path.Combine(root, "encoder");
        Directory.CreateDirectory(dir);
        var fixture = RagTune.Tests.TestPaths.Parity("bert/base-model");
        foreach (var f in new[] { "config.json", "model.safetensors" }) File.Copy(Path.Combine(fixture, f), Path.Combine(dir, f));
        // vocab_size is 512: specials, the corpus words, single letters (and their ## forms) for anything else.
        var vocab = new List<string> { "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]" };
        vocab.AddRange(Texts.SelectMany(t => t.Split(' ')).Distinct());
        vocab.AddRange("abcdefghijklmnopqrstuvwxyz".Select(c => c.ToString()));
        vocab.AddRange("abcdefghijklmnopqrstuvwxyz".Select(c => "##" + c));
        vocab.AddRange(Enumerable.Range(0, 512 - vocab.Count).Select(i => $"[unused{i}]"));
        File.WriteAllLines(Path.Combine(dir, "vocab.txt"), vocab.Distinct());
        return dir;
    }

    [Fact]
    public async Task IngestWithLocalEncoderThenDenseAndHybridSearch()
    {
        var root = RagTune.Tests.TestPaths.NewTempDir("ragtune-e2e");
        try
        {
            var encoder = TinyEncoder(root);
            var docs = Path.Combine(root, "docs");
            Directory.CreateDirectory(docs);
            for (var i = 0; i < Texts.Length; i++) File.WriteAllText(Path.Combine(docs, $"d{i}.txt"), Texts[i]);
            var kbDir = Path.Combine(root, "kb");

            var exit = await CliApp.RunAsync(["ingest", "--kb", kbDir, "--embed-model", encoder, "--chunk-tokens", "100", "--chunk-overlap", "10", docs]);
            Assert.Equal(0, exit);

            using var kb = KnowledgeBase.OpenReadOnly(kbDir);
            var stats = kb.GetStats();
            Assert.Equal(3, stats.Chunks);
            Assert.Equal(3, stats.EmbeddedChunks);
            Assert.Equal(64, stats.EmbeddingDimensions);
            Assert.Equal(encoder, stats.EmbeddingModel);

            using var denseRetriever = RetrieverBuilder.Build(kb, RetrievalMode.Dense);
            var dense = await denseRetriever.RetrieveAsync("lighthouse tower", new RetrievalOptions { TopK = 3 });
            Assert.Equal(3, dense.Count);
            Assert.All(dense, h => Assert.InRange(h.Score, -1.0001, 1.0001));
            // The same text as a stored chunk embeds to the same unit vector: cosine 1, ranked first.
            var self = await denseRetriever.RetrieveAsync(Texts[1], new RetrievalOptions { TopK = 1 });
            Assert.Equal(Texts[1], self[0].Chunk.Text);
            Assert.True(self[0].Score > 0.999, $"cosine {self[0].Score}");

            using var hybridRetriever = RetrieverBuilder.Build(kb, RetrievalMode.Hybrid);
            var hybrid = await hybridRetriever.RetrieveAsync("lighthouse", new RetrievalOptions { TopK = 3 });
            Assert.Contains("lighthouse", hybrid[0].Chunk.Text);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(root, true); } catch (IOException) { }
        }
    }
}
