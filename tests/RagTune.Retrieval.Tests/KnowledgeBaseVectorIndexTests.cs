using RagTune.Retrieval.Chunking;
using RagTune.Retrieval.Ingestion;
using RagTune.Retrieval.Store;
using RagTune.Retrieval.Tests.Support;
using RagTune.Retrieval.Tests.Vectors;
using RagTune.Retrieval.Vectors;

namespace RagTune.Retrieval.Tests;

/// <summary>The knowledge base's dense index: exact or persisted HNSW by size, kept current by writes, reconciled
/// against SQLite on open and when another process committed.</summary>
public class KnowledgeBaseVectorIndexTests
{
    const int Dims = 32;

    /// <summary>A document of <paramref name="vectors"/>.Length chunks whose embeddings are the given vectors.</summary>
    static DocumentWrite Doc(string id, float[][] vectors)
    {
        var chunks = vectors.Select((_, i) => new TextChunk($"{id}#{i}", id, i, $"chunk {i} of {id}", 0, 1, null, "", 4)).ToList();
        var document = new SourceDocument(id, "mem://" + id, id, "x", []);
        return new DocumentWrite(document, chunks, vectors.Select(v => (ReadOnlyMemory<float>)v).ToList());
    }

    static void Write(KnowledgeBase kb, params DocumentWrite[] docs)
    {
        var batch = new WriteBatch();
        batch.Documents.AddRange(docs);
        kb.Write(batch);
    }

    static long RowId(KnowledgeBase kb, string chunkId) => kb.GetChunksByKey([chunkId]).Single().RowId;

    static HashSet<long> SqliteRowIds(KnowledgeBase kb, IEnumerable<string> docIds) =>
        docIds.SelectMany(d => kb.GetDocumentChunks(d)).Select(c => c.RowId).ToHashSet();

    static TempKnowledgeBase NewKb(VectorIndexKind kind, int threshold = 1000)
    {
        var kb = new TempKnowledgeBase();
        kb.Kb.SetEmbeddingModel("test-vectors", Dims);
        kb.Kb.SetIndexKind(kind, threshold);
        return kb;
    }

    [Fact]
    public void AutoSwitchesToHnswAboveTheThresholdWithRecallAt10AgainstExact()
    {
        using var kb = NewKb(VectorIndexKind.Auto, threshold: 1000);
        var data = VectorData.Clustered(2400, Dims, clusters: 40, spread: 0.6f, seed: 7);
        Write(kb.Kb, Doc("d0", data[..400]));
        Assert.IsType<ExactVectorIndex>(kb.Kb.VectorIndex);
        for (var d = 1; d < 6; d++) Write(kb.Kb, Doc($"d{d}", data[(d * 400)..((d + 1) * 400)]));
        var hnsw = Assert.IsType<HnswVectorIndex>(kb.Kb.VectorIndex);
        Assert.Equal(2400, hnsw.Count);
        Assert.True(File.Exists(kb.Kb.HnswPath));

        using var exact = new ExactVectorIndex(Dims);
        foreach (var id in hnsw.GetIds()) exact.Upsert(id, kb.Kb.GetEmbedding(id));
        var queries = VectorData.Clustered(100, Dims, clusters: 40, spread: 0.6f, seed: 7 + 1000);
        double found = 0;
        foreach (var q in queries)
        {
            var truth = exact.Search(q, 10).Select(h => h.Id).ToHashSet();
            found += kb.Kb.VectorIndex!.Search(q, 10).Count(h => truth.Contains(h.Id));
        }
        var recall = found / (queries.Length * 10);
        Assert.True(recall >= 0.95, $"recall@10 of the knowledge base's HNSW index vs exact is {recall:F3}, expected >= 0.95");
    }

    [Fact]
    public void IncrementalWritesUpdateThePersistedHnswFile()
    {
        using var kb = NewKb(VectorIndexKind.Hnsw);
        var data = VectorData.RandomUnit(300, Dims, seed: 3);
        Write(kb.Kb, Doc("a", data[..100]), Doc("b", data[100..200]));
        Assert.Equal(200, kb.Kb.VectorIndex!.Count);
        var oldA = SqliteRowIds(kb.Kb, ["a"]);
        var oldB = SqliteRowIds(kb.Kb, ["b"]);

        var changed = new WriteBatch();
        changed.Documents.Add(Doc("a", data[200..300])); // a's new chunks replace its old ones
        changed.DeletedDocuments.Add("b");
        kb.Kb.Write(changed);
        var expected = SqliteRowIds(kb.Kb, ["a"]);
        var a17 = RowId(kb.Kb, "a#17");
        kb.Kb.Dispose();

        using (var file = HnswVectorIndex.Load(kb.Kb.HnswPath))
        {
            Assert.Equal(expected.Order(), file.GetIds().Order());
            Assert.DoesNotContain(file.GetIds(), id => oldA.Contains(id) || oldB.Contains(id));
            Assert.Equal(a17, file.Search(data[217], 1)[0].Id);
        }
        var reopened = kb.Reopen();
        Assert.Equal(100, reopened.VectorIndex!.Count);
        Assert.Equal(new VectorIndexReconcileReport(0, 0, false), reopened.VectorIndexReconciled);
    }

    [Fact]
    public void StaleOrMissingHnswFileIsReconciledOnOpen()
    {
        using var kb = NewKb(VectorIndexKind.Hnsw);
        var data = VectorData.RandomUnit(300, Dims, seed: 5);
        Write(kb.Kb, Doc("a", data[..100]), Doc("b", data[100..200]));
        Assert.NotNull(kb.Kb.VectorIndex);
        kb.Kb.Dispose();
        var snapshot = kb.Kb.HnswPath + ".old";
        File.Copy(kb.Kb.HnswPath, snapshot);

        // A crash after the SQLite commit, before the index flush: the file still has the old state.
        var next = kb.Reopen();
        var batch = new WriteBatch();
        batch.Documents.Add(Doc("c", data[200..300]));
        batch.DeletedDocuments.Add("a");
        next.Write(batch);
        next.Dispose();
        File.Copy(snapshot, kb.Kb.HnswPath, overwrite: true);

        var repaired = kb.Reopen();
        var index = repaired.VectorIndex!;
        Assert.Equal(new VectorIndexReconcileReport(100, 100, false), repaired.VectorIndexReconciled);
        Assert.Equal(SqliteRowIds(repaired, ["b", "c"]).Order(), index.GetIds().Order());
        Assert.Equal(RowId(repaired, "c#42"), index.Search(data[242], 1)[0].Id);

        // Missing file: rebuilt from SQLite and written back.
        File.Delete(kb.Kb.HnswPath);
        var rebuilt = kb.Reopen();
        Assert.Equal(200, rebuilt.VectorIndex!.Count);
        Assert.True(rebuilt.VectorIndexReconciled!.Rebuilt);
        Assert.True(File.Exists(kb.Kb.HnswPath));

        // Corrupt file: the same.
        rebuilt.Dispose();
        File.WriteAllBytes(kb.Kb.HnswPath, "RTHN garbage"u8.ToArray());
        var fromCorrupt = kb.Reopen();
        Assert.Equal(200, fromCorrupt.VectorIndex!.Count);
        Assert.True(fromCorrupt.VectorIndexReconciled!.Rebuilt);
    }

    [Theory]
    [InlineData(VectorIndexKind.Exact)]
    [InlineData(VectorIndexKind.Hnsw)]
    public void ReadOnlyReaderSeesEmbeddingsCommittedAfterItOpened(VectorIndexKind kind)
    {
        using var kb = NewKb(kind);
        var data = VectorData.RandomUnit(200, Dims, seed: 9);
        Write(kb.Kb, Doc("a", data[..100]));
        using var reader = KnowledgeBase.OpenReadOnly(kb.Folder);
        Assert.Equal(100, reader.VectorIndex!.Count);

        Write(kb.Kb, Doc("b", data[100..200]));
        var removeA = new WriteBatch();
        removeA.DeletedDocuments.Add("a");
        kb.Kb.Write(removeA);

        var index = reader.VectorIndex!;
        Assert.Equal(100, index.Count);
        Assert.Equal(RowId(reader, "b#5"), index.Search(data[105], 1)[0].Id);
        Assert.Equal(SqliteRowIds(reader, ["b"]).Order(), index.GetIds().Order());
    }

    [Fact]
    public void SwitchingToHnswAfterAnExactBulkLoadSavesTheGraphForReaders()
    {
        using var kb = NewKb(VectorIndexKind.Exact);
        var data = VectorData.RandomUnit(200, Dims, seed: 11);
        Write(kb.Kb, Doc("a", data));
        Assert.IsType<ExactVectorIndex>(kb.Kb.VectorIndex);
        Assert.False(File.Exists(kb.Kb.HnswPath));

        kb.Kb.SetIndexKind(VectorIndexKind.Hnsw);
        Assert.True(File.Exists(kb.Kb.HnswPath));
        using var reader = KnowledgeBase.OpenReadOnly(kb.Folder);
        Assert.Equal(200, Assert.IsType<HnswVectorIndex>(reader.VectorIndex).Count);
        Assert.Equal(new VectorIndexReconcileReport(0, 0, false), reader.VectorIndexReconciled);
    }
}
