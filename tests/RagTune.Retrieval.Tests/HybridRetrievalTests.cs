using RagTune.Retrieval.Ingestion;
using RagTune.Retrieval.Retrieval;
using RagTune.Retrieval.Store;
using RagTune.Retrieval.Tests.Support;

namespace RagTune.Retrieval.Tests;

/// <summary>
/// A generated corpus where each kind of query defeats one method: lexical queries are product codes (unknown to
/// the embedder, so dense is blind), semantic queries use synonyms that appear in no document (so BM25 finds
/// nothing). Fusion must get both kinds right.
/// </summary>
public class HybridRetrievalTests
{
    static readonly string[][] Concepts =
    [
        ["automobile", "car"], ["physician", "doctor"], ["purchase", "buy"], ["residence", "home"], ["infant", "baby"],
        ["attorney", "lawyer"], ["canine", "dog"], ["feline", "cat"], ["beverage", "drink"], ["currency", "money"],
        ["illness", "disease"], ["vessel", "ship"], ["aircraft", "airplane"], ["garment", "clothing"], ["dwelling", "house"],
        ["automaton", "robot"], ["precipitation", "rain"], ["pupil", "student"], ["instructor", "teacher"], ["remedy", "cure"],
    ];
    static readonly string[][] Regions = [["northern", "north"], ["southern", "south"]];

    internal static ConceptEmbeddingGenerator Embedder() => new(Concepts.Concat(Regions));

    internal static async Task<List<(string Query, string Expected, bool Lexical)>> BuildCorpusAsync(TempKnowledgeBase kb, ConceptEmbeddingGenerator embedder)
    {
        var queries = new List<(string, string, bool)>();
        for (var r = 0; r < Regions.Length; r++)
            for (var c = 0; c < Concepts.Length; c++)
            {
                var code = $"ZX{r}{c:00}Q";
                var path = kb.Write($"{code}.txt", $"Report {code} covers the {Concepts[c][0]} in the {Regions[r][0]} office.");
                queries.Add(($"the {code}", path, true));
                queries.Add(($"what about the {Concepts[c][1]} {Regions[r][1]}", path, false));
            }
        var summary = await new KnowledgeBaseIngestor(kb.Kb, embedder: embedder, embedderName: "concepts").IngestAsync([kb.Docs]);
        Assert.Empty(summary.Errors);
        return queries;
    }

    static async Task<double> HitRateAt1(IChunkRetriever retriever, List<(string Query, string Expected, bool Lexical)> queries)
    {
        var hits = 0;
        foreach (var (query, expected, _) in queries)
        {
            var top = await retriever.RetrieveAsync(query, new RetrievalOptions { TopK = 5 });
            if (top.Count > 0 && top[0].Chunk.SourcePath == expected) hits++;
        }
        return (double)hits / queries.Count;
    }

    [Fact]
    public async Task HybridBeatsBm25AndDenseAlone()
    {
        using var kb = new TempKnowledgeBase();
        var embedder = Embedder();
        var queries = await BuildCorpusAsync(kb, embedder);
        var bm25 = new LuceneBm25Retriever(kb.Kb);
        var dense = new DenseVectorRetriever(kb.Kb, embedder);
        var hybrid = new HybridRetriever(bm25, dense);

        var bm25Rate = await HitRateAt1(bm25, queries);
        var denseRate = await HitRateAt1(dense, queries);
        var hybridRate = await HitRateAt1(hybrid, queries);

        Assert.True(await HitRateAt1(bm25, queries.Where(q => q.Lexical).ToList()) == 1.0, "BM25 should answer every code query");
        Assert.True(await HitRateAt1(dense, queries.Where(q => !q.Lexical).ToList()) == 1.0, "dense should answer every synonym query");
        Assert.True(hybridRate > bm25Rate && hybridRate > denseRate, $"hybrid {hybridRate:P0} vs bm25 {bm25Rate:P0}, dense {denseRate:P0}");
        Assert.True(hybridRate >= 0.95, $"hybrid hit@1 {hybridRate:P0}");
    }

    [Fact]
    public async Task DenseHonoursFiltersAndThreshold()
    {
        using var kb = new TempKnowledgeBase();
        var embedder = Embedder();
        var queries = await BuildCorpusAsync(kb, embedder);
        var dense = new DenseVectorRetriever(kb.Kb, embedder);
        var target = queries.First(q => !q.Lexical);
        var filtered = await dense.RetrieveAsync("car north", new RetrievalOptions { TopK = 3, Filter = MetadataFilter.Where("source", target.Expected) });
        Assert.All(filtered, h => Assert.Equal(target.Expected, h.Chunk.SourcePath));
        var none = await dense.RetrieveAsync("car north", new RetrievalOptions { MinScore = 0.999 });
        Assert.All(none, h => Assert.True(h.Score >= 0.999));
        Assert.Empty(await dense.RetrieveAsync("quarterly unknown words", new RetrievalOptions { MinScore = 0.1 }));
    }

    [Fact]
    public void ReciprocalRankFusionMatchesTheFormula()
    {
        StoredChunk C(long id) => new(id, $"c{id}", $"d{id}", "p", "t", "x", 0, 1, null, "", 0);
        var a = new List<RetrievedChunk> { new(C(1), 9), new(C(2), 8) };
        var b = new List<RetrievedChunk> { new(C(2), 0.9), new(C(3), 0.8) };
        var fused = new ReciprocalRankFusion(60).Fuse([a, b], 3);
        Assert.Equal([2L, 1L, 3L], fused.Select(f => f.Chunk.RowId));
        Assert.Equal(1.0 / 62 + 1.0 / 61, fused[0].Score, 12);
        Assert.Equal(1.0 / 61, fused[1].Score, 12);
    }

    [Fact]
    public void MmrPrefersDiverseChunks()
    {
        StoredChunk C(long id, string text) => new(id, $"c{id}", $"d{id}", "p", "t", text, 0, text.Length, null, "", 0);
        var candidates = new List<RetrievedChunk>
        {
            new(C(1, "solar panels convert sunlight to power"), 1.0),
            new(C(2, "solar panels convert sunlight to power today"), 0.99),
            new(C(3, "wind turbines generate electricity"), 0.97),
        };
        var picked = new MaximalMarginalRelevance(0.5).Select(candidates, 2);
        Assert.Equal([1L, 3L], picked.Select(p => p.Chunk.RowId));
    }
}
