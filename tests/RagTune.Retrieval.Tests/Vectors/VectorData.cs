using RagTune.Retrieval.Vectors;

namespace RagTune.Retrieval.Tests.Vectors;

/// <summary>Seeded synthetic vectors: uniform on the sphere (the hard case for graphs) and clustered (the realistic one).</summary>
internal static class VectorData
{
    public static float[][] RandomUnit(int count, int dims, int seed)
    {
        var rng = new Random(seed);
        var result = new float[count][];
        for (var i = 0; i < count; i++)
        {
            var v = new float[dims];
            for (var d = 0; d < dims; d++) v[d] = Gaussian(rng);
            result[i] = Normalise(v);
        }
        return result;
    }

    /// <summary>Points around <paramref name="clusters"/> random centres with spread <paramref name="spread"/>.</summary>
    public static float[][] Clustered(int count, int dims, int clusters, float spread, int seed)
    {
        var rng = new Random(seed);
        var centres = RandomUnit(clusters, dims, seed + 1);
        var result = new float[count][];
        for (var i = 0; i < count; i++)
        {
            var c = centres[rng.Next(clusters)];
            var v = new float[dims];
            for (var d = 0; d < dims; d++) v[d] = c[d] + spread * Gaussian(rng) / MathF.Sqrt(dims);
            result[i] = Normalise(v);
        }
        return result;
    }

    public static float[] Normalise(float[] v)
    {
        var norm = MathF.Sqrt(v.Sum(x => x * x));
        for (var d = 0; d < v.Length; d++) v[d] /= norm;
        return v;
    }

    /// <summary>The reference: score every vector, sort by score desc then id asc.</summary>
    public static List<VectorHit> BruteForce(IReadOnlyList<(long Id, float[] Vector)> items, float[] query, int k, Func<long, bool>? filter = null) =>
        items.Where(x => filter is null || filter(x.Id))
            .Select(x => new VectorHit(x.Id, System.Numerics.Tensors.TensorPrimitives.Dot(x.Vector.AsSpan(), query)))
            .OrderByDescending(h => h.Score).ThenBy(h => h.Id).Take(k).ToList();

    /// <summary>Mean over queries of |approx top-k ∩ exact top-k| / k.</summary>
    public static double RecallAtK(IVectorIndex approx, IVectorIndex exact, float[][] queries, int k)
    {
        double sum = 0;
        foreach (var q in queries)
        {
            var truth = exact.Search(q, k).Select(h => h.Id).ToHashSet();
            sum += approx.Search(q, k).Count(h => truth.Contains(h.Id)) / (double)truth.Count;
        }
        return sum / queries.Length;
    }

    static float Gaussian(Random rng) =>
        (float)(Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()));
}
