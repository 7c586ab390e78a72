namespace RagTune.Training.Data;

/// <summary>Seeded shuffling and train/validation splits.</summary>
public static class DataSplit
{
    /// <summary>A permutation of 0..n-1 that depends only on <paramref name="seed"/> (Fisher–Yates over a seeded <see cref="Random"/>).</summary>
    public static int[] Permutation(int n, int seed)
    {
        var order = Enumerable.Range(0, n).ToArray();
        new Random(seed).Shuffle(order);
        return order;
    }

    /// <summary>
    /// A seeded order in which consecutive groups of <paramref name="batchSize"/> hold examples of similar length, so a
    /// padded batch wastes little (Hugging Face's <c>group_by_length</c>): the seeded permutation is cut into mega-batches of
    /// 50 batches, each sorted by length (longest first), and the full batches are then shuffled again, so that long and
    /// short batches alternate at random over the epoch. The last, partial batch stays last, so batch <c>i</c> is
    /// always the slice <c>[i·batchSize, (i+1)·batchSize)</c>. A pure function of the lengths, batch size and seed.
    /// </summary>
    public static int[] LengthGroupedPermutation(IReadOnlyList<int> lengths, int batchSize, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var order = Permutation(lengths.Count, seed);
        var mega = batchSize * 50;
        for (var start = 0; start < order.Length; start += mega)
        {
            var count = Math.Min(mega, order.Length - start);
            // Stable sort by length, descending: ties keep their shuffled order.
            var sorted = order.AsSpan(start, count).ToArray().Select((index, position) => (index, position))
                .OrderByDescending(x => lengths[x.index]).ThenBy(x => x.position).Select(x => x.index).ToArray();
            sorted.CopyTo(order, start);
        }
        var fullBatches = order.Length / batchSize;
        var batchOrder = Permutation(fullBatches, unchecked(seed * 31 + 7));
        var result = new int[order.Length];
        for (var b = 0; b < fullBatches; b++) Array.Copy(order, batchOrder[b] * batchSize, result, b * batchSize, batchSize);
        Array.Copy(order, fullBatches * batchSize, result, fullBatches * batchSize, order.Length - fullBatches * batchSize);
        return result;
    }

    /// <summary>Splits off <paramref name="evalFraction"/> of the examples (at least one each side) after a seeded shuffle.</summary>
    public static (List<T> Train, List<T> Eval) Split<T>(IReadOnlyList<T> items, double evalFraction, int seed)
    {
        if (evalFraction is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(evalFraction), evalFraction, "expected a fraction in (0, 1).");
        if (items.Count < 2) throw new DatasetException($"cannot split {items.Count} example(s) into train and eval; add data or pass --eval.");
        var order = Permutation(items.Count, seed);
        var nEval = Math.Clamp((int)Math.Round(items.Count * evalFraction), 1, items.Count - 1);
        return (order.Skip(nEval).Select(i => items[i]).ToList(), order.Take(nEval).Select(i => items[i]).ToList());
    }
}
