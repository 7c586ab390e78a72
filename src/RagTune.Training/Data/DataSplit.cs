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
