using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.QueryParsers.Classic;
using Lucene.Net.Search;
using Lucene.Net.Store;
using RagTune.Retrieval.Ingestion;
using RagTune.Retrieval.Retrieval;
using RagTune.Retrieval.Store;
using RagTune.Retrieval.Tests.Support;

namespace RagTune.Retrieval.Tests;

public class Bm25ParityTests
{
    static readonly string[] Corpus =
    [
        "The running shoes were designed for marathon runners who run long distances.",
        "A cat sat on the mat while the dogs were barking at the mailman.",
        "Marathons are long races; runners train for months and run every day.",
        "Quantum computers use qubits, and quantum entanglement links their states.",
        "The shoe factory produces boots, sandals and running shoes in many sizes.",
        "Dogs and cats are the most common pets; a dog needs daily walks.",
    ];

    [Theory]
    [InlineData("running shoes")]
    [InlineData("the dogs barked at cats")]
    [InlineData("quantum computing")]
    [InlineData("marathon runners train")]
    public async Task ScoresEqualLuceneIndexSearcherWithSameAnalyzerAndK1B(string query)
    {
        using var kb = new TempKnowledgeBase();
        var batch = new WriteBatch();
        for (var i = 0; i < Corpus.Length; i++)
        {
            var doc = new SourceDocument($"d{i}", $"/docs/d{i}.txt", $"d{i}", Corpus[i], [new TextBlock(0, Corpus[i].Length, "")]);
            batch.Documents.Add(new DocumentWrite(doc, new Chunking.StructuredChunker().Chunk(doc)));
        }
        kb.Kb.Write(batch);
        var ours = await new LuceneBm25Retriever(kb.Kb).RetrieveAsync(query, new RetrievalOptions { TopK = 10 });

        // Reference: a plain Lucene index of the same texts, searched by Lucene's own QueryParser and IndexSearcher.
        using var dir = new RAMDirectory();
        using var analyzer = Bm25Settings.CreateAnalyzer();
        using (var writer = new IndexWriter(dir, new IndexWriterConfig(Bm25Settings.Version, analyzer) { Similarity = new Lucene.Net.Search.Similarities.BM25Similarity(1.2f, 0.75f) }))
            for (var i = 0; i < Corpus.Length; i++)
                writer.AddDocument(new Document { new StringField("id", $"d{i}", Field.Store.YES), new TextField("text", Corpus[i], Field.Store.NO) });
        using var reader = DirectoryReader.Open(dir);
        var searcher = new IndexSearcher(reader) { Similarity = new Lucene.Net.Search.Similarities.BM25Similarity(1.2f, 0.75f) };
        var parsed = new QueryParser(Bm25Settings.Version, "text", analyzer).Parse(QueryParserBase.Escape(query));
        var expected = searcher.Search(parsed, 10).ScoreDocs.ToDictionary(d => searcher.Doc(d.Doc).Get("id"), d => d.Score);

        Assert.NotEmpty(expected);
        Assert.Equal(expected.Count, ours.Count);
        foreach (var hit in ours)
            Assert.True(Math.Abs(expected[hit.Chunk.DocumentId] - hit.Score) < 1e-6,
                $"{hit.Chunk.DocumentId}: ours {hit.Score} vs Lucene {expected[hit.Chunk.DocumentId]}");
        Assert.Equal(Bm25Settings.K1, 1.2f);
        Assert.Equal(Bm25Settings.B, 0.75f);
    }

    [Fact]
    public async Task StemmingAndStopWordsApply()
    {
        using var kb = new TempKnowledgeBase();
        kb.Write("a.txt", "The runners were running in the races.");
        await new KnowledgeBaseIngestor(kb.Kb).IngestAsync([kb.Docs]);
        var hits = await new LuceneBm25Retriever(kb.Kb).RetrieveAsync("run race");
        Assert.Single(hits);
        Assert.Empty(await new LuceneBm25Retriever(kb.Kb).RetrieveAsync("the and of"));
    }

    [Fact]
    public async Task MetadataFilterRestrictsWithoutChangingScores()
    {
        using var kb = new TempKnowledgeBase();
        kb.Write("a.txt", "apple pie recipe with cinnamon");
        kb.Write("b/b.txt", "apple cider and apple juice");
        await new KnowledgeBaseIngestor(kb.Kb, new IngestOptions { Tags = ["fruit"] }).IngestAsync([Path.Combine(kb.Docs, "b")]);
        await new KnowledgeBaseIngestor(kb.Kb).IngestAsync([Path.Combine(kb.Docs, "a.txt")]);
        var retriever = new LuceneBm25Retriever(kb.Kb);
        var all = await retriever.RetrieveAsync("apple");
        var tagged = await retriever.RetrieveAsync("apple", new RetrievalOptions { Filter = MetadataFilter.Where("tag", "fruit") });
        Assert.Equal(2, all.Count);
        var only = Assert.Single(tagged);
        Assert.EndsWith("b.txt", only.Chunk.SourcePath);
        Assert.Equal(all.Single(h => h.Chunk.RowId == only.Chunk.RowId).Score, only.Score, 6);
    }
}
