using System.Linq.Expressions;
using Microsoft.Extensions.VectorData;
using RagTune.Retrieval.Store;
using RagTune.Retrieval.Tests.Support;

namespace RagTune.Retrieval.Tests;

public class FilterPushDownTests
{
    [Fact]
    public async Task SelectiveFilterFindsTheOnlyMatchWithoutOverFetch()
    {
        using var kb = new TempKnowledgeBase();
        // No over-fetch at all: only a filter pushed into the vector search can find the one far-away match.
        var collection = new KnowledgeBaseChunkCollection(kb.Kb) { FilterOverFetch = 1 };
        var near = Enumerable.Range(0, 200).Select(i => new ChunkRecord
        {
            Key = $"n{i}", DocumentId = "near", SourcePath = "mem://near", Title = "Near", Text = $"near {i}",
            Embedding = new float[] { 1, i / 1000f, 0, 0 },
        }).ToList();
        await collection.UpsertAsync(near);
        await collection.UpsertAsync(new ChunkRecord { Key = "far", DocumentId = "far", SourcePath = "mem://far", Title = "Far", Text = "far away", Embedding = new float[] { 0, 0, 0, 1 } });

        var wanted = "far";
        var hits = new List<VectorSearchResult<ChunkRecord>>();
        await foreach (var r in collection.SearchAsync(new float[] { 1, 0, 0, 0 }, 3, new VectorSearchOptions<ChunkRecord> { Filter = r => r.DocumentId == wanted && r.Title == "Far" }))
            hits.Add(r);
        Assert.Equal("far", Assert.Single(hits).Record.Key);

        var hybrid = new List<VectorSearchResult<ChunkRecord>>();
        await foreach (var r in collection.HybridSearchAsync(new float[] { 1, 0, 0, 0 }, ["near"], 3, new HybridSearchOptions<ChunkRecord> { Filter = r => r.SourcePath == "mem://far" }))
            hybrid.Add(r);
        Assert.Equal("far", Assert.Single(hybrid).Record.Key);

        // Not translatable (a method call): still correct through the post-filter on the over-fetched list.
        var post = new List<VectorSearchResult<ChunkRecord>>();
        await foreach (var r in collection.SearchAsync(new float[] { 1, 0, 0, 0 }, 1, new VectorSearchOptions<ChunkRecord> { Filter = r => r.Text.StartsWith("near 0") }))
            post.Add(r);
        Assert.Equal("n0", Assert.Single(post).Record.Key);
    }

    [Fact]
    public void TranslatorTakesOnlyConjunctionsOfStoredFieldEqualities()
    {
        static bool Translate(Expression<Func<ChunkRecord, bool>> f, out MetadataFilter m) => ChunkRecordFilterTranslator.TryTranslate(f, out m);
        var doc = "d1";
        Assert.True(Translate(r => r.DocumentId == doc && "t" == r.Title, out var m));
        Assert.Equal(new Dictionary<string, string> { ["doc"] = "d1", ["title"] = "t" }, m.Conditions);
        Assert.False(Translate(r => r.DocumentId == "a" || r.DocumentId == "b", out _));
        Assert.False(Translate(r => r.DocumentId == "a" && r.DocumentId == "b", out _));
        Assert.False(Translate(r => r.Text == "x", out _));
        Assert.False(Translate(r => r.DocumentId == r.Title, out _));
        Assert.False(Translate(r => r.Page == 3, out _));
    }
}
