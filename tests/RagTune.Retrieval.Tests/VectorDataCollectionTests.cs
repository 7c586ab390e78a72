using Microsoft.Extensions.VectorData;
using RagTune.Retrieval.Ingestion;
using RagTune.Retrieval.Retrieval;
using RagTune.Retrieval.Store;
using RagTune.Retrieval.Tests.Support;

namespace RagTune.Retrieval.Tests;

public class VectorDataCollectionTests
{
    [Fact]
    public async Task UpsertGetSearchHybridAndDeleteThroughTheAbstraction()
    {
        using var kb = new TempKnowledgeBase();
        var embedder = HybridRetrievalTests.Embedder();
        VectorStoreCollection<string, ChunkRecord> collection = new KnowledgeBaseChunkCollection(kb.Kb, embedder);
        async Task<ChunkRecord> Record(string key, string doc, string text) => new()
        {
            Key = key, DocumentId = doc, Text = text, SourcePath = $"mem://{doc}", Title = doc,
            Embedding = (await embedder.GenerateAsync([text]))[0].Vector,
        };
        await collection.UpsertAsync([await Record("a1", "A", "the automobile is red"), await Record("a2", "A", "a physician visits")]);
        await collection.UpsertAsync(await Record("b1", "B", "the canine barks ZQ77"));

        var got = await collection.GetAsync("a2");
        Assert.Equal("a physician visits", got!.Text);
        Assert.Equal(kb.Kb.GetDocumentText("A")![got.Start..got.End], got.Text);

        var byText = new List<VectorSearchResult<ChunkRecord>>();
        await foreach (var r in collection.SearchAsync("car", 2)) byText.Add(r);
        Assert.Equal("a1", byText[0].Record.Key);

        var filtered = new List<VectorSearchResult<ChunkRecord>>();
        await foreach (var r in collection.SearchAsync("car", 2, new VectorSearchOptions<ChunkRecord> { Filter = r => r.DocumentId == "B" })) filtered.Add(r);
        Assert.Equal("b1", Assert.Single(filtered).Record.Key);

        var hybrid = await new VectorStoreRetriever(collection, embedder) { UseHybrid = true }.RetrieveAsync("ZQ77", new RetrievalOptions { TopK = 1 });
        Assert.Equal("b1", Assert.Single(hybrid).Chunk.ChunkId);

        await collection.DeleteAsync("a1");
        Assert.Null(await collection.GetAsync("a1"));
        Assert.NotNull(await collection.GetAsync("a2"));
        var stats = kb.Kb.GetStats();
        Assert.Equal(2, stats.Chunks);
        Assert.Equal(2, stats.LuceneDocuments);
        Assert.Equal(2, kb.Kb.VectorIndex!.Count);
    }
}
