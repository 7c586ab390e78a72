using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text.Json;
using RagTune.Retrieval.Vectors;

namespace RagTune.Bench;

/// <summary>
/// <c>bench vectors</c>: HNSW recall@10 against exact search versus queries per second at several efSearch values,
/// HNSW build time, exact-search latency p50/p95, file save/load — on ≥ 100k vectors of 384 dimensions (MiniLM's
/// size). Writes <c>bench/results/vectors.json</c>.
/// </summary>
/// <remarks>
/// Data (<c>--data</c>): <c>lowrank</c> (default) draws unit vectors from a random 32-dimensional subspace plus
/// 10 % isotropic noise — sentence embeddings have a low intrinsic dimension, and this is what makes graphs work on
/// them; <c>random</c> is uniform on the sphere, the worst case for any graph index. Queries are held-out draws
/// from the same distribution. Queries run one at a time on one thread (latency, not batch throughput).
/// Options: <c>--n 100000 --dims 384 --queries 1000 --data lowrank|random --ef 10,20,…</c>.
/// </remarks>
public static class VectorBench
{
    public static int Run(string[] args)
    {
        var n = IntArg(args, "--n", 100_000);
        var dims = IntArg(args, "--dims", 384);
        var queryCount = IntArg(args, "--queries", 1_000);
        var kinds = StringArg(args, "--data", "lowrank,random").Split(',');
        var efs = StringArg(args, "--ef", "10,20,40,64,100,150,200,300,400").Split(',').Select(int.Parse).ToArray();
        var runs = kinds.Select(kind => RunOne(kind, n, dims, queryCount, efs)).ToList();
        var result = new
        {
            benchmark = "vectors",
            date = DateTime.UtcNow.ToString("u", CultureInfo.InvariantCulture),
            machine = new
            {
                cores = Environment.ProcessorCount,
                os = RuntimeInformation.OSDescription,
                runtime = RuntimeInformation.FrameworkDescription,
                cpu = RuntimeInformation.ProcessArchitecture.ToString(),
                simdFloats = Vector<float>.Count,
                avx512 = System.Runtime.Intrinsics.X86.Avx512F.IsSupported,
            },
            note = "single-threaded sequential queries; HNSW built by one writer; exact search scans in parallel slices (all cores) above 32k vectors",
            runs,
        };
        var outPath = StringArg(args, "--out", Path.Combine(RepoRoot(), "bench", "results", "vectors.json"));
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(outPath))!);
        File.WriteAllText(outPath, JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n");
        Console.WriteLine(outPath);
        return 0;
    }

    static object RunOne(string data, int n, int dims, int queryCount, int[] efs)
    {
        var options = new HnswOptions();
        Console.Error.WriteLine($"vectors: n={n} dims={dims} queries={queryCount} data={data} cores={Environment.ProcessorCount}");

        var all = data switch
        {
            "lowrank" => LowRank(n + queryCount, dims, rank: 32, noise: 0.1f, seed: 1),
            "random" => RandomUnit(n + queryCount, dims, seed: 1),
            _ => throw new ArgumentException($"--data must be lowrank or random, got '{data}'"),
        };
        var queries = all[n..];

        var exact = new ExactVectorIndex(dims, initialCapacity: n);
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < n; i++) exact.Upsert(i, all[i]);
        var exactBuild = sw.Elapsed.TotalSeconds;

        var hnsw = new HnswVectorIndex(dims, options);
        sw.Restart();
        for (var i = 0; i < n; i++)
        {
            hnsw.Upsert(i, all[i]);
            if ((i + 1) % 20_000 == 0) Console.Error.WriteLine($"  hnsw inserted {i + 1} ({sw.Elapsed.TotalSeconds:F0} s)");
        }
        var hnswBuild = sw.Elapsed.TotalSeconds;

        // Ground truth and exact latency in one pass (the exact index scans in parallel slices at this size).
        var truth = new HashSet<long>[queryCount];
        var exactLatency = new double[queryCount];
        for (var q = 0; q < queryCount; q++)
        {
            var t = Stopwatch.GetTimestamp();
            truth[q] = exact.Search(queries[q], 10).Select(h => h.Id).ToHashSet();
            exactLatency[q] = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
        }

        var curve = new List<object>();
        foreach (var ef in efs)
        {
            hnsw.Search(queries[0], 10, ef); // warm-up
            var latency = new double[queryCount];
            double recall = 0;
            for (var q = 0; q < queryCount; q++)
            {
                var t = Stopwatch.GetTimestamp();
                var hits = hnsw.Search(queries[q], 10, ef);
                latency[q] = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
                recall += hits.Count(h => truth[q].Contains(h.Id)) / 10.0;
            }
            recall /= queryCount;
            var qps = queryCount / (latency.Sum() / 1000);
            Console.Error.WriteLine($"  efSearch={ef,4}: recall@10={recall:F4}  {qps,8:F0} q/s  p50={Percentile(latency, 50):F3} ms  p95={Percentile(latency, 95):F3} ms");
            curve.Add(new { efSearch = ef, recallAt10 = Math.Round(recall, 4), queriesPerSecond = Math.Round(qps, 1), p50Ms = Round(Percentile(latency, 50)), p95Ms = Round(Percentile(latency, 95)) });
        }

        var dir = Path.Combine(Path.GetTempPath(), $"ragtune-vectorbench-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        var file = Path.Combine(dir, "hnsw.idx");
        sw.Restart(); hnsw.Save(file); var save = sw.Elapsed.TotalSeconds;
        var size = new FileInfo(file).Length;
        sw.Restart(); using (HnswVectorIndex.Load(file)) { } var load = sw.Elapsed.TotalSeconds;
        Directory.Delete(dir, true);

        var result = new
        {
            data = new { kind = data, vectors = n, dims, queries = queryCount, note = data == "lowrank" ? "unit vectors from a random 32-d subspace + 10 % noise" : "uniform on the unit sphere (worst case)" },
            hnsw = new
            {
                options.M, options.EfConstruction, defaultEfSearch = options.EfSearch,
                buildSeconds = Math.Round(hnswBuild, 2),
                insertsPerSecond = Math.Round(n / hnswBuild, 1),
                fileBytes = size, saveSeconds = Math.Round(save, 3), loadSeconds = Math.Round(load, 3),
                curve,
            },
            exact = new
            {
                buildSeconds = Math.Round(exactBuild, 3),
                p50Ms = Round(Percentile(exactLatency, 50)),
                p95Ms = Round(Percentile(exactLatency, 95)),
                queriesPerSecond = Math.Round(queryCount / (exactLatency.Sum() / 1000), 1),
            },
        };
        Console.Error.WriteLine($"exact: p50={Percentile(exactLatency, 50):F3} ms p95={Percentile(exactLatency, 95):F3} ms; hnsw build {hnswBuild:F1} s");
        return result;
    }

    static float[][] RandomUnit(int count, int dims, int seed)
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

    /// <summary>x = B·z + noise·g with B a random dims×rank basis: a low intrinsic dimension, like real embeddings.</summary>
    static float[][] LowRank(int count, int dims, int rank, float noise, int seed)
    {
        var rng = new Random(seed);
        var basis = RandomUnit(rank, dims, seed + 1);
        var result = new float[count][];
        var z = new float[rank];
        for (var i = 0; i < count; i++)
        {
            for (var r = 0; r < rank; r++) z[r] = Gaussian(rng);
            var v = new float[dims];
            for (var r = 0; r < rank; r++)
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(basis[r], z[r], v, v);
            var scale = noise * MathF.Sqrt(rank) / MathF.Sqrt(dims); // noise relative to the signal's norm
            for (var d = 0; d < dims; d++) v[d] += scale * Gaussian(rng);
            result[i] = Normalise(v);
        }
        return result;
    }

    static float[] Normalise(float[] v)
    {
        var norm = System.Numerics.Tensors.TensorPrimitives.Norm(v);
        System.Numerics.Tensors.TensorPrimitives.Divide(v, norm, v);
        return v;
    }

    static float Gaussian(Random rng) =>
        (float)(Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()));

    static double Percentile(double[] values, double p)
    {
        var sorted = values.Order().ToArray();
        var rank = p / 100 * (sorted.Length - 1);
        var lo = (int)Math.Floor(rank);
        var hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
    }

    static double Round(double ms) => Math.Round(ms, 4);

    static int IntArg(string[] args, string name, int fallback) =>
        int.Parse(StringArg(args, name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

    static string StringArg(string[] args, string name, string fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }

    static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "RagTune.slnx"))) return dir.FullName;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "RagTune.slnx"))) return dir.FullName;
        return Environment.CurrentDirectory;
    }
}
