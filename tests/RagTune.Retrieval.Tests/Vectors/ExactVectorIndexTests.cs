using RagTune.Retrieval.Vectors;
using RagTune.Tests;

namespace RagTune.Retrieval.Tests.Vectors;

public class ExactVectorIndexTests
{
    static (ExactVectorIndex Index, List<(long, float[])> Items) Build(int count, int dims, int seed, int parallelThreshold = 32_768)
    {
        var vectors = VectorData.RandomUnit(count, dims, seed);
        var index = new ExactVectorIndex(dims, initialCapacity: 4) { ParallelThreshold = parallelThreshold };
        var items = new List<(long, float[])>();
        for (var i = 0; i < count; i++)
        {
            var id = 1000L + 7 * i;
            index.Upsert(id, vectors[i]);
            items.Add((id, vectors[i]));
        }
        return (index, items);
    }

    [Theory]
    [InlineData(500, 32_768)] // sequential scan
    [InlineData(20_000, 1_000)] // parallel slices + merge
    public void TopKEqualsBruteForce(int count, int threshold)
    {
        var (index, items) = Build(count, 48, seed: 1, threshold);
        foreach (var q in VectorData.RandomUnit(20, 48, seed: 2))
            Assert.Equal(VectorData.BruteForce(items, q, 10), index.Search(q, 10));
    }

    [Fact]
    public void FilterKeepsOnlyAcceptedIds()
    {
        var (index, items) = Build(300, 16, seed: 3);
        Func<long, bool> even = id => id % 2 == 0;
        var q = VectorData.RandomUnit(1, 16, seed: 4)[0];
        var hits = index.Search(q, 25, even);
        Assert.Equal(VectorData.BruteForce(items, q, 25, even), hits);
        Assert.All(hits, h => Assert.True(even(h.Id)));
    }

    [Fact]
    public void UpsertReplacesAndRemoveSwapsTheLastSlotIn()
    {
        var index = new ExactVectorIndex(3);
        index.Upsert(1, [1, 0, 0]);
        index.Upsert(2, [0, 1, 0]);
        index.Upsert(3, [0, 0, 1]);
        index.Upsert(1, [0, 0.6f, 0.8f]); // replace: still 3 vectors
        Assert.Equal(3, index.Count);
        Assert.Equal(1, index.Search([0, 0.6f, 0.8f], 1)[0].Id);

        Assert.True(index.Remove(1)); // slot 0 is refilled by id 3 (the last slot)
        Assert.False(index.Remove(1));
        Assert.Equal(2, index.Count);
        Assert.Equal([3L, 2L], index.GetIds());
        var hits = index.Search([0, 0, 1], 5);
        Assert.Equal([3L, 2L], hits.Select(h => h.Id));
        Assert.Equal(1f, hits[0].Score);
        Span<float> v = stackalloc float[3];
        Assert.True(index.TryGetVector(3, v));
        Assert.Equal([0f, 0f, 1f], v.ToArray());
    }

    [Fact]
    public void WrongDimensionsAreRejectedWithBothNumbers()
    {
        var index = new ExactVectorIndex(4);
        var e = Assert.Throws<ArgumentException>(() => index.Upsert(1, [1, 2, 3]));
        Assert.Contains("3", e.Message);
        Assert.Contains("4", e.Message);
    }

    [Fact]
    public void SaveLoadRoundTripGivesIdenticalResults()
    {
        var dir = TestPaths.NewTempDir();
        var path = Path.Combine(dir, "dense.idx");
        var (index, _) = Build(2_000, 32, seed: 5);
        index.Remove(1000 + 7 * 10);
        var flushed = new ExactVectorIndex(32, path);
        flushed.Flush(); // an empty index is a valid file too
        Assert.Equal(0, ExactVectorIndex.Load(path).Count);

        index.Save(path);
        Assert.False(File.Exists(path + ".tmp"));
        using var loaded = ExactVectorIndex.Load(path);
        Assert.Equal(index.Count, loaded.Count);
        foreach (var q in VectorData.RandomUnit(10, 32, seed: 6))
            Assert.Equal(index.Search(q, 10), loaded.Search(q, 10));
        Directory.Delete(dir, true);
    }

    [Fact]
    public void CorruptTruncatedOrForeignFilesFailWithTheFileName()
    {
        var dir = TestPaths.NewTempDir();
        var path = Path.Combine(dir, "dense.idx");
        var (index, _) = Build(100, 8, seed: 7);
        index.Save(path);
        var good = File.ReadAllBytes(path);

        var flipped = (byte[])good.Clone();
        flipped[good.Length / 2] ^= 0x40;
        File.WriteAllBytes(path, flipped);
        var e = Assert.Throws<InvalidDataException>(() => ExactVectorIndex.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("checksum", e.Message);

        File.WriteAllBytes(path, good[..(good.Length - 100)]);
        e = Assert.Throws<InvalidDataException>(() => ExactVectorIndex.Load(path));
        Assert.Contains("truncated", e.Message);

        File.WriteAllBytes(path, good[..10]);
        e = Assert.Throws<InvalidDataException>(() => ExactVectorIndex.Load(path));
        Assert.Contains(path, e.Message);

        File.WriteAllText(path, "this is not an index file, just some text that is long enough");
        e = Assert.Throws<InvalidDataException>(() => ExactVectorIndex.Load(path));
        Assert.Contains("RTEX", e.Message);

        var hnswPath = Path.Combine(dir, "graph.idx");
        new HnswVectorIndex(8).Save(hnswPath);
        Assert.Throws<InvalidDataException>(() => ExactVectorIndex.Load(hnswPath));
        Assert.Throws<FileNotFoundException>(() => ExactVectorIndex.Load(Path.Combine(dir, "missing.idx")));
        Directory.Delete(dir, true);
    }

    [Fact]
    public void VectorIndexesLoadPicksTheKindByMagic()
    {
        var dir = TestPaths.NewTempDir();
        var (exact, _) = Build(50, 8, seed: 8);
        exact.Save(Path.Combine(dir, "e.idx"));
        var hnsw = new HnswVectorIndex(8);
        hnsw.Upsert(1, VectorData.RandomUnit(1, 8, seed: 9)[0]);
        hnsw.Save(Path.Combine(dir, "h.idx"));
        using (var e = VectorIndexes.Load(Path.Combine(dir, "e.idx"))) Assert.IsType<ExactVectorIndex>(e);
        using (var h = VectorIndexes.Load(Path.Combine(dir, "h.idx"))) Assert.Equal(1, Assert.IsType<HnswVectorIndex>(h).Count);
        File.WriteAllText(Path.Combine(dir, "x.idx"), "nope, not an index");
        Assert.Contains("x.idx", Assert.Throws<InvalidDataException>(() => VectorIndexes.Load(Path.Combine(dir, "x.idx"))).Message);
        Directory.Delete(dir, true);
    }

    [Fact]
    public async Task ConcurrentSearchesDuringWritesSeeConsistentSlots()
    {
        var data = VectorData.RandomUnit(3_000, 16, seed: 10);
        var index = new ExactVectorIndex(16) { ParallelThreshold = 1_000 };
        for (var i = 0; i < 1_000; i++) index.Upsert(i, data[i]);
        using var started = new CountdownEvent(2);
        var writing = true;
        // Dedicated threads: pool threads may all be busy (parallel test classes, parallel scans) on 2 cores.
        var readers = Enumerable.Range(0, 2).Select(r => Task.Factory.StartNew(() =>
        {
            var rng = new Random(r);
            var searches = 0;
            while (Volatile.Read(ref writing))
            {
                var q = rng.Next(data.Length);
                var hits = index.Search(data[q], 5);
                // A stored vector is its own best hit: a torn swap-remove would surface as a wrong id or score.
                if (hits.Count > 0 && hits[0].Score > 0.9999f) Assert.Equal(q, hits[0].Id);
                if (searches++ == 0) started.Signal();
            }
            return searches;
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
        Assert.True(started.Wait(TimeSpan.FromSeconds(30)), "readers did not start");
        for (var i = 1_000; i < data.Length; i++)
        {
            index.Upsert(i, data[i]);
            if (i % 3 == 0) index.Remove(i - 500);
        }
        Volatile.Write(ref writing, false);
        Assert.All(await Task.WhenAll(readers), n => Assert.True(n > 0));
        Assert.Equal(3_000 - 666, index.Count); // 666 multiples of 3 in [1000, 3000)
    }
}
