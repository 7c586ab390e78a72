using RagTune.Retrieval.Ingestion;
using RagTune.Retrieval.Retrieval;
using RagTune.Retrieval.Store;
using RagTune.Retrieval.Tests.Support;

namespace RagTune.Retrieval.Tests;

public class ConcurrencyTests
{
    [Fact]
    public async Task ReadersSearchWhileOneWriterIngests()
    {
        using var kb = new TempKnowledgeBase();
        for (var i = 0; i < 300; i++) kb.Write($"f{i:000}.txt", $"Shared term nebula. Document {i} unique word w{i}x.");
        var embedder = HybridRetrievalTests.Embedder();
        var ingest = Task.Run(() => new KnowledgeBaseIngestor(kb.Kb, new IngestOptions { BatchChunks = 10 }, embedder: embedder).IngestAsync([kb.Docs]));

        // In-process readers share the writer's knowledge base; another process would use OpenReadOnly.
        using var readOnly = KnowledgeBase.OpenReadOnly(kb.Folder);
        var counts = new List<int>();
        var readers = Enumerable.Range(0, 3).Select(r => Task.Run(async () =>
        {
            var last = 0;
            var bm25 = new LuceneBm25Retriever(r == 0 ? readOnly : kb.Kb);
            while (!ingest.IsCompleted)
            {
                var hits = await bm25.RetrieveAsync("nebula", new RetrievalOptions { TopK = 1000 });
                Assert.True(hits.Count >= last, "a committed batch never disappears");
                last = hits.Count;
                Assert.All(hits, h => Assert.Contains("nebula", h.Chunk.Text));
            }
            lock (counts) counts.Add(last);
        })).ToList();
        var summary = await ingest;
        await Task.WhenAll(readers);
        Assert.Equal(300, summary.DocumentsAdded);
        Assert.Equal(300, (await new LuceneBm25Retriever(readOnly).RetrieveAsync("nebula", new RetrievalOptions { TopK = 1000 })).Count);
        Assert.Equal(300, kb.Kb.VectorIndex!.Count);
    }

    [Fact]
    public void SecondWriterIsRefused()
    {
        using var kb = new TempKnowledgeBase();
        var e = Assert.Throws<IOException>(() => KnowledgeBase.Open(kb.Folder));
        Assert.Contains("another process", e.Message);
    }
}
