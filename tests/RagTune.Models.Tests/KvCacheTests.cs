using static TorchSharp.torch;

namespace RagTune.Models.Tests;

public class KvCacheTests
{
    [Fact]
    public void AppendWritesInPlaceAndTrimReorderWork()
    {
        using var scope = NewDisposeScope();
        using var cache = new KvCache(numLayers: 1, batchSize: 2, numKeyValueHeads: 1, headDim: 2, maxLength: 4);
        var k = arange(8, ScalarType.Float32).view(2, 1, 2, 2);
        var (keys, values) = cache.Append(0, k, k.neg());
        cache.Advance(2);
        Assert.Equal(new long[] { 2, 1, 2, 2 }, keys.shape);
        Assert.True(keys.equal(k).all().item<bool>() && values.equal(k.neg()).all().item<bool>());
        cache.Reorder(tensor(new long[] { 1, 0 }));
        var (after, _) = cache.Append(0, zeros(2, 1, 1, 2), zeros(2, 1, 1, 2));
        Assert.True(after.narrow(2, 0, 2).equal(k.flip(0)).all().item<bool>());
        cache.Advance(1);
        cache.Trim(1);
        Assert.Equal(1, cache.Length);
        cache.Append(0, ones(2, 1, 3, 2), ones(2, 1, 3, 2));
        cache.Advance(3);
        var e = Assert.Throws<InvalidOperationException>(() => cache.Append(0, ones(2, 1, 1, 2), ones(2, 1, 1, 2)));
        Assert.Contains("capacity of 4", e.Message);
    }
}
