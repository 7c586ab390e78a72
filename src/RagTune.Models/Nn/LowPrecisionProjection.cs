using RagTune.Models.Kernels;
using TorchSharp;
using static TorchSharp.torch;

namespace RagTune.Models.Nn;

/// <summary>
/// Inference paths of a <see cref="Linear"/> whose weight is stored in bf16 or int8 blocks, for fp32 activations on the
/// CPU with gradients off:
/// <list type="bullet">
/// <item>up to <see cref="GemvMaxRows"/> input rows (a decode step outside the Llama kernel, the LM head of a prefill's
/// last position): the decode kernel's matrix–vector products (<see cref="Gemv.Rows"/>), which widen the stored rows in
/// registers — no fp32 copy of the weight at all;</item>
/// <item>more rows (a prefill): the weight widened into the model's reusable buffer (<see cref="Linear.WideningScratch"/>),
/// (<see cref="WeightWidening"/>), then the fp32 GEMM (<see cref="FloatProjection.Gemm"/>) — the same values as widening into a fresh tensor, without
/// allocating and page-faulting in a new fp32 copy of every projection per call. Weights larger than the buffer go in
/// slices of output rows.</item>
/// </list>
/// Results equal <c>linear(x, widened weight, bias)</c> up to the order of fp32 additions.
/// </summary>
internal static unsafe class LowPrecisionProjection
{
    /// <summary>Most input rows taken by the matrix–vector path (the decode kernel's batch limit).</summary>
    public const int GemvMaxRows = 8;

    const int GrainBytes = 16 * 1024;

    /// <summary>y = x·Wᵀ + b for <paramref name="x"/> (…, in), or null when neither path applies.</summary>
    public static Tensor? TryForward(Linear l, Tensor x)
    {
        if (l.IsConv1D || is_grad_enabled() || x.dtype != ScalarType.Float32 || x.device_type != DeviceType.CPU) return null;
        var w = l.weight;
        var int8 = w.dtype == ScalarType.Int8;
        if (!(w.dtype == ScalarType.BFloat16 || int8 && l.weight_scale is { dtype: ScalarType.Float32 } s && s.is_contiguous())) return null;
        if (w.device_type != DeviceType.CPU || !w.is_contiguous() || l.InFeatures % 8 != 0 || l.OutFeatures > int.MaxValue
            || l.InFeatures > int.MaxValue || x.shape[^1] != l.InFeatures) return null;
        var rows = x.numel() / l.InFeatures;
        if (rows == 0) return null;
        var useGemv = rows <= GemvMaxRows && Gemv.IsSupported;
        if (!useGemv && (l.WideningScratch is null || l.InFeatures > l.WideningScratch.MaxElements)) return null;

        using var scope = NewDisposeScope();
        var outShape = x.shape.ToArray();
        outShape[^1] = l.OutFeatures;
        var input = x.reshape(rows, l.InFeatures).contiguous();
        var bias = l.bias?.to_type(ScalarType.Float32).contiguous();
        var y = useGemv ? MatrixVector(l, input, bias) : WidenedGemm(l, input, bias, l.WideningScratch!);
        return y.view(outShape).MoveToOuterDisposeScope();
    }

    static Tensor MatrixVector(Linear l, Tensor input, Tensor? bias)
    {
        var (outFeatures, n) = ((int)l.OutFeatures, (int)input.shape[0]);
        var rows = Rows(l);
        var y = empty([n, outFeatures], ScalarType.Float32);
        var px = TensorMemory.Pointer<float>(input);
        var py = TensorMemory.Pointer<float>(y);
        var pb = bias is null ? null : TensorMemory.Pointer<float>(bias);
        DecodeTeam.Shared.Run(outFeatures, Math.Max(1, GrainBytes / rows.RowBytes),
            (s, e) => Gemv.Rows(rows, px, n, py, outFeatures, s, e, pb, accumulate: false));
        GC.KeepAlive(l);
        return y;
    }

    static Tensor WidenedGemm(Linear l, Tensor input, Tensor? bias, WidenedWeightScratch scratch)
    {
        var (outFeatures, inFeatures) = (l.OutFeatures, l.InFeatures);
        var sliceRows = Math.Max(1, Math.Min(outFeatures, scratch.MaxElements / inFeatures));
        var buffer = scratch.TryRent(sliceRows * inFeatures);
        try
        {
            // Busy (another thread's projection of this model): widen into a temporary, as without a buffer.
            var wide = buffer ?? empty(sliceRows * inFeatures, ScalarType.Float32);
            if (sliceRows == outFeatures)
                return FloatProjection.Gemm(input, Widen(l, wide, 0, outFeatures), bias);
            var y = empty([input.shape[0], outFeatures], ScalarType.Float32);
            for (long start = 0; start < outFeatures; start += sliceRows)
            {
                var count = Math.Min(sliceRows, outFeatures - start);
                y.narrow(1, start, count).copy_(FloatProjection.Gemm(input, Widen(l, wide, start, count), bias?.narrow(0, start, count)));
            }
            return y;
        }
        finally
        {
            if (buffer is not null) scratch.Return();
        }
    }

    /// <summary>Weight rows [start, start + count) in fp32, written into the front of <paramref name="buffer"/>.</summary>
    static Tensor Widen(Linear l, Tensor buffer, long start, long count)
    {
        WeightWidening.Rows(Rows(l), TensorMemory.Pointer<float>(buffer), start, count);
        GC.KeepAlive(l);
        return buffer.narrow(0, 0, count * l.InFeatures).view(count, l.InFeatures);
    }

    /// <summary>The stored weight seen through pointers (the caller keeps <paramref name="l"/> alive).</summary>
    static WeightRows Rows(Linear l) => l.weight_scale is { } scale
        ? new(TensorMemory.Pointer<byte>(l.weight), WeightFormat.Int8, (int)l.OutFeatures, (int)l.InFeatures, TensorMemory.Pointer<float>(scale))
        : new(TensorMemory.Pointer<byte>(l.weight), WeightFormat.Bf16, (int)l.OutFeatures, (int)l.InFeatures);
}
