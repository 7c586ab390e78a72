using RagTune.Retrieval.Vectors;
using RagTune.Tests;

namespace RagTune.Retrieval.Tests.Vectors;

public class HnswVectorIndexTests
{
    static (HnswVectorIndex Hnsw, ExactVectorIndex Exact) Build(float[][] vectors, HnswOptions? options = null)
    {
        var hnsw = new HnswVectorIndex(vectors[0].Length, options);
        var exact = new ExactVectorIndex(vectors[0].Length);
        for (var i = 0; i < vectors.Length; i++)
        {
            hnsw.Upsert(i, vectors[i]);
            exact.Upsert(i, vectors[i]);
        }
        return (hnsw, exact);
    }

    [Fact]
    public void DefaultsReachRecallAt10OnRandomUnitVectors()
    {
        var (hnsw, exact) = Build(VectorData.RandomUnit(20_000, 64, seed: 11));
        var recall = VectorData.RecallAtK(hnsw, exact, VectorData.RandomUnit(200, 64, seed: 12), 10);
        Assert.True(recall >= 0.95, $"recall@10 = {recall:F4} < 0.95 on 20k random 64-d vectors");
    }

    [Fact]
    public void DefaultsReachRecallAt10OnClusteredVectors()
    {
        var data = VectorData.Clustered(20_200, 128, clusters: 50, spread: 0.8f, seed: 13);
        var (hnsw, exact) = Build(data[..20_000]);
        var recall = VectorData.RecallAtK(hnsw, exact, data[20_000..], 10);
        Assert.True(recall >= 0.95, $"recall@10 = {recall:F4} < 0.95 on 20k clustered 128-d vectors");
    }

    [Fact]
    public void SameSeedSameOperationsGiveTheSameFileAndSaveLoadKeepsResults()
    {
        var dir = TestPaths.NewTempDir();
        var data = VectorData.RandomUnit(3_000, 32, seed: 14);
        var (a, _) = Build(data);
        var (b, _) = Build(data);
        a.Remove(5); b.Remove(5);
        a.Save(Path.Combine(dir, "a.idx"));
        b.Save(Path.Combine(dir, "b.idx"));
        Assert.Equal(File.ReadAllBytes(Path.Combine(dir, "a.idx")), File.ReadAllBytes(Path.Combine(dir, "b.idx")));

        using var loaded = HnswVectorIndex.Load(Path.Combine(dir, "a.idx"));
        Assert.Equal(a.Count, loaded.Count);
        Assert.Equal(a.Options, loaded.Options);
        foreach (var q in VectorData.RandomUnit(20, 32, seed: 15))
            Assert.Equal(a.Search(q, 10), loaded.Search(q, 10));

        // The level stream continues where it stopped: inserting after a reload matches inserting without one.
        var extra = VectorData.RandomUnit(50, 32, seed: 16);
        for (var i = 0; i < extra.Length; i++) { a.Upsert(10_000 + i, extra[i]); loaded.Upsert(10_000 + i, extra[i]); }
        a.Save(Path.Combine(dir, "a2.idx"));
        loaded.Save(Path.Combine(dir, "l2.idx"));
        Assert.Equal(File.ReadAllBytes(Path.Combine(dir, "a2.idx")), File.ReadAllBytes(Path.Combine(dir, "l2.idx")));
        Directory.Delete(dir, true);
    }

    [Fact]
    public void RemoveAndUpsertAreVisibleAndTombstonesTriggerARebuild()
    {
        var data = VectorData.RandomUnit(1_000, 16, seed: 17);
        var (hnsw, _) = Build(data, new HnswOptions { MaxTombstoneFraction = 0.2 });
        Assert.Equal(0, hnsw.Search(data[0], 1)[0].Id);

        Assert.True(hnsw.Remove(0));
        Assert.False(hnsw.Remove(0));
        Assert.DoesNotContain(hnsw.Search(data[0], 50), h => h.Id == 0);
        Assert.Equal(999, hnsw.Count);
        Assert.Equal(1, hnsw.TombstoneCount);

        // Upsert of a live id moves it: the old vector is no longer found under that id.
        hnsw.Upsert(1, data[0]);
        Assert.Equal(1, hnsw.Search(data[0], 1)[0].Id);
        Assert.NotEqual(1, hnsw.Search(data[1], 1)[0].Id);
        Assert.Equal(999, hnsw.Count);
        Assert.Equal(2, hnsw.TombstoneCount);

        for (var id = 2; id < 250; id++) hnsw.Remove(id); // crosses 20 % of the graph → rebuilt
        Assert.True(hnsw.TombstoneCount < 0.2 * 1_001, $"{hnsw.TombstoneCount} tombstones left");
        Assert.Equal(751, hnsw.Count);
        for (var id = 250; id < 1_000; id += 37) Assert.Equal(id, hnsw.Search(data[id], 1)[0].Id);
        hnsw.Compact();
        Assert.Equal(0, hnsw.TombstoneCount);
        Assert.Equal(751, hnsw.Count);
    }

    [Fact]
    public void SelectiveFiltersStillReturnTheExactAcceptedTopK()
    {
        var data = VectorData.RandomUnit(2_000, 16, seed: 18);
        var (hnsw, exact) = Build(data);
        Func<long, bool> rare = id => id % 97 == 0; // 21 accepted ids
        var q = VectorData.RandomUnit(1, 16, seed: 19)[0];
        Assert.Equal(exact.Search(q, 10, rare), hnsw.Search(q, 10, rare));
        Assert.Equal(21, hnsw.Search(q, 50, rare).Count);
    }

    [Fact]
    public async Task ConcurrentSearchesDuringInsertsDoNotFail()
    {
        var data = VectorData.RandomUnit(2_500, 16, seed: 20);
        var hnsw = new HnswVectorIndex(16, new HnswOptions { EfConstruction = 64, EfSearch = 32 });
        for (var i = 0; i < 500; i++) hnsw.Upsert(i, data[i]);
        using var stop = new CancellationTokenSource();
        using var started = new CountdownEvent(2);
        // Dedicated threads: pool threads may all be busy (parallel test classes, parallel scans) on 2 cores.
        var readers = Enumerable.Range(0, 2).Select(r => Task.Factory.StartNew(() =>
        {
            var searches = 0;
            var rng = new Random(r);
            while (!stop.IsCancellationRequested)
            {
                var hits = hnsw.Search(data[rng.Next(data.Length)], 10);
                Assert.InRange(hits.Count, 1, 10);
                Assert.Equal(hits.Count, hits.Select(h => h.Id).Distinct().Count());
                if (searches++ == 0) started.Signal();
            }
            return searches;
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
        // Inserts start once every reader is searching, so the overlap is real even on a busy 2-core machine.
        Assert.True(started.Wait(TimeSpan.FromSeconds(30)), "readers did not start");
        for (var i = 500; i < data.Length; i++)
        {
            hnsw.Upsert(i, data[i]);
            if (i % 10 == 0) hnsw.Remove(i - 250);
        }
        stop.Cancel();
        Assert.All(await Task.WhenAll(readers), n => Assert.True(n > 0));
        Assert.Equal(data.Length - 200, hnsw.Count);
    }

    [Fact]
    public void CorruptAndTruncatedFilesFailWithTheFileName()
    {
        var dir = TestPaths.NewTempDir();
        var path = Path.Combine(dir, "graph.idx");
        var (hnsw, _) = Build(VectorData.RandomUnit(300, 8, seed: 21));
        hnsw.Save(path);
        var good = File.ReadAllBytes(path);

        var flipped = (byte[])good.Clone();
        flipped[good.Length - 200] ^= 1;
        File.WriteAllBytes(path, flipped);
        var e = Assert.Throws<InvalidDataException>(() => HnswVectorIndex.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("checksum", e.Message);

        File.WriteAllBytes(path, good[..(good.Length / 3)]);
        e = Assert.Throws<InvalidDataException>(() => HnswVectorIndex.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("truncated", e.Message);

        var exactPath = Path.Combine(dir, "exact.idx");
        new ExactVectorIndex(8).Save(exactPath);
        e = Assert.Throws<InvalidDataException>(() => HnswVectorIndex.Load(exactPath));
        Assert.Contains("RTHN", e.Message);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void EmptyAndEmptiedIndexesSearchSaveAndRefill()
    {
        var dir = TestPaths.NewTempDir();
        var path = Path.Combine(dir, "empty.idx");
        var q = VectorData.RandomUnit(1, 8, seed: 22)[0];
        new HnswVectorIndex(8).Save(path);
        using var loaded = HnswVectorIndex.Load(path);
        Assert.Empty(loaded.Search(q, 5));

        var data = VectorData.RandomUnit(20, 8, seed: 23);
        for (var i = 0; i < data.Length; i++) loaded.Upsert(i, data[i]);
        for (var i = 0; i < data.Length; i++) Assert.True(loaded.Remove(i));
        Assert.Equal(0, loaded.Count);
        Assert.Empty(loaded.Search(q, 5));
        loaded.Upsert(42, q);
        Assert.Equal(42, loaded.Search(q, 5).Single().Id);
        loaded.Flush(); // back to the file it was loaded from
        Assert.Equal(42, HnswVectorIndex.Load(path).Search(q, 1)[0].Id);
        Directory.Delete(dir, true);
    }
}
