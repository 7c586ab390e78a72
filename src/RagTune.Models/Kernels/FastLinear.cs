using static TorchSharp.torch;

namespace RagTune.Models.Kernels;

/// <summary>
/// Inference fast paths for <see cref="Nn.Linear"/> (non-Conv1D): decode-sized inputs (≤ 8 rows) go to
/// <see cref="DecodeGemv"/>; bf16 weights with fp32 activations (the reduced-precision decode path, see
/// <see cref="ReducedPrecision"/>) are widened for larger inputs. Never used while gradients are recorded.
/// </summary>
public static class FastLinear
{
    /// <summary>
    /// Opt-in (RAGTUNE_FAST_DECODE=1, or set here). Off by default: on an idle 2-core machine libtorch's own GEMV
    /// decoded ~4× faster than this kernel in `bench generation` (18 vs 4 tok/s at batch 1), and its spinning
    /// helper thread stalls under load.
    /// </summary>
    public static bool Enabled { get; set; } = Environment.GetEnvironmentVariable("RAGTUNE_FAST_DECODE") == "1";

    /// <summary>y = x·Wᵀ + b through a fast path, or null when none applies (the caller then uses <c>linear</c>).</summary>
    public static Tensor? TryForward(Tensor x, Tensor weight, Tensor? bias)
    {
        if (!Enabled || is_grad_enabled() || x.dtype != ScalarType.Float32) return null;
        var inFeatures = weight.shape[1];
        var rows = x.numel() / inFeatures;
        if (rows <= DecodeGemv.MaxRows)
        {
            var x2d = x.reshape(rows, inFeatures);
            if (DecodeGemv.Supports(x2d, weight))
            {
                var shape = x.shape.ToArray();
                shape[^1] = weight.shape[0];
                var y = DecodeGemv.Multiply(x2d, weight);
                if (bias is not null) y.add_(bias.dtype == ScalarType.Float32 ? bias : bias.to_type(ScalarType.Float32));
                return y.view(shape);
            }
        }
        if (weight.dtype == ScalarType.Float32) return null;
        // Mixed precision (bf16 weights, fp32 activations) on a large input: widening the weight costs one pass over
        // it, small next to the GEMM; libtorch has no fast bf16 GEMM on CPUs without AVX-512 BF16/AMX.
        return nn.functional.linear(x, weight.to_type(ScalarType.Float32), bias?.to_type(ScalarType.Float32));
    }
}
