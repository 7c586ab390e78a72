using RagTune.Retrieval.Retrieval;
using RagTune.Tests;

namespace RagTune.Application.Tests.Knowledge;

public class RetrieverBuilderTests
{
    [Fact]
    public async Task WithoutEmbeddingsTheDefaultIsBm25AndDenseModesAreRefusedNamingTheFix()
    {
        var root = TestPaths.NewTempDir("ragtune-app");
        var docs = Directory.CreateDirectory(Path.Combine(root, "docs")).FullName;
        File.WriteAllText(Path.Combine(docs, "a.txt"), "The lighthouse keeper climbs the tower every night.");
        File.WriteAllText(Path.Combine(docs, "b.txt"), "Bread is baked in the village oven at dawn.");
        var kbDir = Path.Combine(root, "kb");

        var ingested = await IngestService.RunAsync(new IngestRequest { KnowledgeBase = kbDir, Paths = [docs], EmbedModel = "none" });
        Assert.Equal(2, ingested.Summary.DocumentsAdded);
        Assert.Null(ingested.Recovered);

        var search = await SearchService.RunAsync(new SearchRequest { KnowledgeBase = kbDir, Query = "lighthouse tower", TopK = 1 });
        Assert.Equal(RetrievalMode.Bm25, search.Mode);
        Assert.Contains("lighthouse", search.Hits.Single().Chunk.Text);

        using (var kb = KnowledgeBases.OpenForReading(kbDir))
        {
            Assert.Equal(RetrievalMode.Bm25, RetrieverBuilder.DefaultMode(kb));
            foreach (var mode in new[] { RetrievalMode.Dense, RetrievalMode.Hybrid })
            {
                var e = Assert.Throws<ServiceException>(() => RetrieverBuilder.Build(kb, mode));
                Assert.Equal(ServiceErrorKind.BadArguments, e.Kind);
                Assert.Contains("--embed-model", e.Message);
            }
        }

        var bad = await Assert.ThrowsAsync<ServiceException>(() => SearchService.RunAsync(new SearchRequest { KnowledgeBase = kbDir, Query = "x", TopK = 0 }));
        Assert.Equal(ServiceErrorKind.BadArguments, bad.Kind);
        var missing = await Assert.ThrowsAsync<ServiceException>(() => SearchService.RunAsync(new SearchRequest { KnowledgeBase = Path.Combine(root, "nope"), Query = "x" }));
        Assert.Equal(ServiceErrorKind.NotFound, missing.Kind);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(root, true); } catch (IOException) { }
    }

    [Fact]
    public async Task ByDefaultANewKnowledgeBaseIsEmbeddedWithTheBuiltInMiniLmAndSearchIsHybrid()
    {
        var root = TestPaths.NewTempDir("ragtune-app");
        var docs = Directory.CreateDirectory(Path.Combine(root, "docs")).FullName;
        File.WriteAllText(Path.Combine(docs, "a.txt"), "The lighthouse keeper climbs the tower every night.");
        File.WriteAllText(Path.Combine(docs, "b.txt"), "Bread is baked in the village oven at dawn.");
        var kbDir = Path.Combine(root, "kb");
        var cache = new Models.Onnx.EmbeddingModelCacheOptions(CacheDirectory: Path.Combine(root, "cache"));

        await IngestService.RunAsync(new IngestRequest { KnowledgeBase = kbDir, Paths = [docs], EmbedOptions = new ModelClientOptions { EmbeddingCache = cache } });
        using (var kb = KnowledgeBases.OpenForReading(kbDir))
        {
            Assert.Equal("minilm", kb.EmbeddingModel);
            Assert.Equal(RetrievalMode.Hybrid, RetrieverBuilder.DefaultMode(kb));
        }
        // No word of the query occurs in the passage it should find: only the dense half of hybrid can rank it first.
        var search = await SearchService.RunAsync(new SearchRequest { KnowledgeBase = kbDir, Query = "baker making loaves early morning", TopK = 1, Mode = RetrievalMode.Dense,
            EmbedOptions = new ModelClientOptions { EmbeddingCache = cache } });
        Assert.Contains("Bread", search.Hits.Single().Chunk.Text);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(root, true); } catch (IOException) { }
    }

    [Fact]
    public void ModeNamesRoundTripAndUnknownNamesAreBadArguments()
    {
        foreach (var mode in Enum.GetValues<RetrievalMode>()) Assert.Equal(mode, RetrievalModes.Parse(mode.Name()));
        Assert.Equal(ServiceErrorKind.BadArguments, Assert.Throws<ServiceException>(() => RetrievalModes.Parse("fuzzy")).Kind);
    }
}
