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
        var seen = new List<(int Reads, int Final)>();
        var readers = Enumerable.Range(0, 3).Select(r => Task.Run(async () =>
        {
            var last = 0;
            var reads = 0;
            var bm25 = new LuceneBm25Retriever(r == 0 ? readOnly : kb.Kb);
            do   // at least once, however fast the writer is
            {
                var hits = await bm25.RetrieveAsync("nebula", new RetrievalOptions { TopK = 1000 });
                Assert.True(hits.Count >= last, "a committed batch never disappears");
                last = hits.Count;
                reads++;
                Assert.All(hits, h => Assert.Contains("nebula", h.Chunk.Text));
            } while (!ingest.IsCompleted);
            // Once the writer is done, every reader sees every document.
            var final = (await bm25.RetrieveAsync("nebula", new RetrievalOptions { TopK = 1000 })).Count;
            Assert.True(final >= last, "a committed batch never disappears");
            lock (seen) seen.Add((reads, final));
        })).ToList();
        var summary = await ingest;
        await Task.WhenAll(readers);
        Assert.Equal(3, seen.Count);
        Assert.All(seen, s => Assert.True(s.Reads >= 1 && s.Final == 300, $"{s.Reads} reads, {s.Final} documents at the end"));
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
