using RagTune.Training.Data;

namespace RagTune.Training.Tests.Data;

public class DataSplitTests
{
    static int[] Lengths(int n, int seed)
    {
        var rng = new Random(seed);
        // A mix like the demo's corpus: short questions, mid-length documents, a few long grounded prompts.
        return Enumerable.Range(0, n).Select(_ => rng.Next(3) switch { 0 => rng.Next(20, 40), 1 => rng.Next(120, 260), _ => rng.Next(300, 500) }).ToArray();
    }

    static long PaddedTokens(int[] order, int[] lengths, int batchSize) =>
        order.Chunk(batchSize).Sum(batch => (long)batch.Length * batch.Max(i => lengths[i]));

    [Fact]
    public void LengthGroupedOrderIsAPermutationThatCutsPaddingAndDependsOnlyOnItsInputs()
    {
        var lengths = Lengths(2_003, 5);
        const int batch = 16;
        var grouped = DataSplit.LengthGroupedPermutation(lengths, batch, seed: 9);

        Assert.Equal(Enumerable.Range(0, lengths.Length), grouped.Order());
        Assert.Equal(grouped, DataSplit.LengthGroupedPermutation(lengths, batch, seed: 9));
        Assert.NotEqual(grouped, DataSplit.LengthGroupedPermutation(lengths, batch, seed: 10));

        var random = DataSplit.Permutation(lengths.Length, 9);
        var real = lengths.Sum(l => (long)l);
        var wasteRandom = PaddedTokens(random, lengths, batch) - real;
        var wasteGrouped = PaddedTokens(grouped, lengths, batch) - real;
        Assert.True(wasteGrouped * 10 < wasteRandom, $"padding: grouped {wasteGrouped:N0} vs random {wasteRandom:N0} tokens");

        // Batches are shuffled, not sorted: the longest batch is not always first and lengths do not decrease monotonically.
        var batchMax = grouped.Chunk(batch).Select(b => b.Max(i => lengths[i])).ToArray();
        Assert.False(batchMax.Zip(batchMax.Skip(1)).All(p => p.First >= p.Second));
    }

    [Fact]
    public void ThePartialLastBatchStaysLastSoBatchBoundariesAreFixed()
    {
        var lengths = Lengths(37, 1);
        var grouped = DataSplit.LengthGroupedPermutation(lengths, 8, seed: 3);
        Assert.Equal(37, grouped.Length);
        Assert.Equal(Enumerable.Range(0, 37), grouped.Order());
        // With 37 examples and one mega-batch, the 5 leftover examples are the shortest of the sorted run.
        var last = grouped[32..].Select(i => lengths[i]).ToArray();
        Assert.True(last.Max() <= grouped[..32].Min(i => lengths[i]));
    }
}
