using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using static TorchSharp.torch;

namespace RagTune.Bench;

/// <summary>
/// The two ceilings a CPU decoder is judged against: memory read bandwidth (decode streams every weight once per
/// token) and fp32 GEMM throughput (prefill is matmul-bound).
/// </summary>
public static class MachineBench
{
    /// <summary>
    /// Read bandwidth in GB/s (10⁹ bytes/s): <paramref name="threads"/> threads sum disjoint halves of a buffer far
    /// larger than the caches, best of <paramref name="repeats"/> passes.
    /// </summary>
    public static unsafe double MemoryReadBandwidth(long bytes = 1L << 31, int threads = 2, int repeats = 5)
    {
        var floats = bytes / sizeof(float);
        var buffer = (float*)NativeMemory.AlignedAlloc((nuint)bytes, 64);
        try
        {
            // Touch every page (and give the sum something non-trivial) so page faults stay out of the timing.
            Parallel.For(0, threads, t =>
            {
                var (start, end) = Slice(floats, threads, t);
                for (long i = start; i < end; i++) buffer[i] = (i & 1023) * 1e-3f;
            });
            var best = double.MaxValue;
            var sums = new float[threads];
            for (var r = 0; r < repeats; r++)
            {
                var sw = Stopwatch.StartNew();
                var workers = new Thread[threads];
                for (var t = 0; t < threads; t++)
                {
                    var id = t;
                    workers[t] = new Thread(() =>
                    {
                        var (start, end) = Slice(floats, threads, id);
                        sums[id] = Sum(buffer + start, end - start);
                    });
                    workers[t].Start();
                }
                foreach (var w in workers) w.Join();
                best = Math.Min(best, sw.Elapsed.TotalSeconds);
            }
            if (sums.Sum() == 0) throw new InvalidOperationException("bandwidth buffer summed to zero");
            return bytes / best / 1e9;
        }
        finally
        {
            NativeMemory.AlignedFree(buffer);
        }
    }

    /// <summary>fp32 GEMM throughput (GFLOP/s, 2·n³ per product) of <c>torch.matmul</c> on n×n matrices.</summary>
    public static double GemmGflops(int n = 2048, int repeats = 10)
    {
        using var scope = NewDisposeScope();
        using var _ = inference_mode();
        var a = randn(n, n);
        var b = randn(n, n);
        matmul(a, b).Dispose(); // warm-up: thread pool, packing buffers
        var best = double.MaxValue;
        for (var r = 0; r < repeats; r++)
        {
            var sw = Stopwatch.StartNew();
            matmul(a, b).Dispose();
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
        }
        return 2.0 * n * n * n / best / 1e9;
    }

    static (long Start, long End) Slice(long count, int parts, int index)
    {
        // Chunks stay multiples of 64 floats so every thread starts on a cache line.
        var chunk = (count / parts) & ~63L;
        var start = chunk * index;
        return (start, index == parts - 1 ? count : start + chunk);
    }

    static unsafe float Sum(float* p, long n)
    {
        // Four independent accumulators hide the add latency so the loop is limited by loads alone.
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
        long i = 0;
        for (; i + 32 <= n; i += 32)
        {
            a0 += Vector256.Load(p + i);
            a1 += Vector256.Load(p + i + 8);
            a2 += Vector256.Load(p + i + 16);
            a3 += Vector256.Load(p + i + 24);
        }
        var s = Vector256.Sum(a0 + a1 + a2 + a3);
        for (; i < n; i++) s += p[i];
        return s;
    }
}
