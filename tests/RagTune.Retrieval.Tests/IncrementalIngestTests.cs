using RagTune.Retrieval.Ingestion;
using RagTune.Retrieval.Retrieval;
using RagTune.Retrieval.Tests.Support;

namespace RagTune.Retrieval.Tests;

public class IncrementalIngestTests
{
    [Fact]
    public async Task UnchangedFolderDoesNoWork()
    {
        using var kb = new TempKnowledgeBase();
        kb.Write("a.txt", "Alpha document about rivers.");
        kb.Write("b.md", "# Bravo\n\nMountains and valleys.");
        var embedder = HybridRetrievalTests.Embedder();
        var first = await new KnowledgeBaseIngestor(kb.Kb, embedder: embedder).IngestAsync([kb.Docs]);
        Assert.Equal(2, first.DocumentsAdded);
        var calls = embedder.Calls;
        var stats = kb.Kb.GetStats();

        var second = await new KnowledgeBaseIngestor(kb.Kb, embedder: embedder).IngestAsync([kb.Docs]);
        Assert.Equal(2, second.FilesUnchanged);
        Assert.Equal(0, second.DocumentsAdded + second.DocumentsUpdated + second.DocumentsDeleted + second.ChunksWritten);
        Assert.Equal(calls, embedder.Calls);
        Assert.Equal(stats.Chunks, kb.Kb.GetStats().Chunks);
    }

    [Fact]
    public async Task ChangedFileReplacesItsChunks()
    {
        using var kb = new TempKnowledgeBase();
        var path = kb.Write("a.txt", "The old text mentions zebras.");
        kb.Write("b.txt", "Untouched file about giraffes.");
        await new KnowledgeBaseIngestor(kb.Kb).IngestAsync([kb.Docs]);
        File.WriteAllText(path, "The new text mentions penguins.");
        var summary = await new KnowledgeBaseIngestor(kb.Kb).IngestAsync([kb.Docs]);
        Assert.Equal(1, summary.DocumentsUpdated);
        Assert.Equal(1, summary.FilesUnchanged);
        var bm25 = new LuceneBm25Retriever(kb.Kb);
        Assert.Empty(await bm25.RetrieveAsync("zebras"));
        Assert.Single(await bm25.RetrieveAsync("penguins"));
        var stats = kb.Kb.GetStats();
        Assert.Equal(stats.Chunks, stats.LuceneDocuments);
        Assert.Equal(2, stats.Documents);
    }

    [Fact]
    public async Task SyncRemovesDeletedFilesAndRecordsGoneFromAFile()
    {
        using var kb = new TempKnowledgeBase();
        var gone = kb.Write("gone.txt", "Ephemeral file about comets.");
        kb.Write("stay.txt", "Permanent file about planets.");
        var jsonl = kb.Write("notes.jsonl", "{\"id\":\"1\",\"text\":\"first note on asteroids\"}\n{\"id\":\"2\",\"text\":\"second note on meteors\"}\n");
        await new KnowledgeBaseIngestor(kb.Kb).IngestAsync([kb.Docs]);
        Assert.Equal(4, kb.Kb.GetStats().Documents);

        File.Delete(gone);
        File.WriteAllText(jsonl, "{\"id\":\"1\",\"text\":\"first note on asteroids\"}\n");
        var withoutSync = await new KnowledgeBaseIngestor(kb.Kb).IngestAsync([kb.Docs]);
        Assert.Equal(1, withoutSync.DocumentsDeleted); // the record gone from notes.jsonl
        Assert.Equal(1, withoutSync.DocumentsUnchanged);
        Assert.Single(await new LuceneBm25Retriever(kb.Kb).RetrieveAsync("comets"));

        var synced = await new KnowledgeBaseIngestor(kb.Kb, new IngestOptions { Sync = true }).IngestAsync([kb.Docs]);
        Assert.Equal(1, synced.DocumentsDeleted);
        Assert.Empty(await new LuceneBm25Retriever(kb.Kb).RetrieveAsync("comets"));
        Assert.Empty(await new LuceneBm25Retriever(kb.Kb).RetrieveAsync("meteors"));
        var stats = kb.Kb.GetStats();
        Assert.Equal(2, stats.Documents);
        Assert.Equal(2, stats.Files);
        Assert.Equal(stats.Chunks, stats.LuceneDocuments);
    }

    [Fact]
    public async Task ReopenAfterLuceneLagsReindexesFromSqlite()
    {
        using var kb = new TempKnowledgeBase();
        kb.Write("a.txt", "Durable words about lighthouses.");
        await new KnowledgeBaseIngestor(kb.Kb).IngestAsync([kb.Docs]);
        kb.Kb.Dispose();
        // Simulate a crash after the SQLite commit and before the Lucene commit: Lucene loses its index.
        Directory.Delete(Path.Combine(kb.Folder, "lucene"), recursive: true);
        var reopened = kb.Reopen();
        Assert.Equal(1, reopened.Reconciled!.Reindexed);
        Assert.Single(await new LuceneBm25Retriever(reopened).RetrieveAsync("lighthouse"));
        Assert.True(kb.Reopen().Reconciled!.WasClean);
    }
}
