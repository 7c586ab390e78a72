using System.Globalization;
using RagTune.Models.Kernels;
using static TorchSharp.torch;

namespace RagTune.Bench;

/// <summary>
/// <c>gemm [--threads 2]</c>: fp32 y = x·Wᵀ + b, libtorch (<c>linear</c>, MKL) and our <see cref="Sgemm"/> on the same
/// tensors and threads, shapes of the embedding bench (MiniLM, 32 × 105 tokens), a 128-token prefill of the generation bench model
/// and a square 2048² product; best of the repeats, GFLOP/s (2·m·n·k) and the largest difference.
/// </summary>
public static class GemmBench
{
    public static unsafe int Run(string[] args)
    {
        var threads = Array.IndexOf(args, "--threads") is var i and >= 0 ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : 2;
        set_num_threads(threads);
        using var team = threads > 1 ? new DecodeTeam(threads) : null;
        (string Name, int M, int N, int K)[] shapes =
        [
            ("minilm q/k/v/o", 3360, 384, 384), ("minilm mlp up", 3360, 1536, 384), ("minilm mlp down", 3360, 384, 1536),
            ("prefill 128, 512→1536", 128, 1536, 512), ("prefill 128, 1536→512", 128, 512, 1536), ("square 2048", 2048, 2048, 2048),
        ];
        Console.WriteLine($"{"shape",-24} {"m",5} {"n",5} {"k",5} {"libtorch",9} {"ours",9} {"ratio",6} {"max |Δ|",9}");
        foreach (var (name, m, n, k) in shapes)
        {
            using var scope = NewDisposeScope();
            using var _ = inference_mode();
            var x = randn(m, k);
            var w = randn(n, k).div_(Math.Sqrt(k));
            var b = randn(n);
            var reference = nn.functional.linear(x, w, b);
            var ours = empty(m, n);
            void Ours() => Sgemm.Linear(TensorMemory.Pointer<float>(x), TensorMemory.Pointer<float>(w), TensorMemory.Pointer<float>(b),
                TensorMemory.Pointer<float>(ours), m, n, k, team);
            void Torch() => nn.functional.linear(x, w, b).Dispose();
            Torch(); // warm-up: JIT, packing buffers
            Ours();
            var torchTime = GenerationBench.Best(10, Torch);
            var ourTime = GenerationBench.Best(10, Ours);
            var diff = (ours - reference).abs().max().item<float>();
            var flops = 2.0 * m * n * k;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name,-24} {m,5} {n,5} {k,5} {flops / torchTime / 1e9,9:F1} {flops / ourTime / 1e9,9:F1} {torchTime / ourTime,6:F2} {diff,9:E1}"));
        }
        return 0;
    }
}
