using RagTune.Models.Kernels;
using TorchSharp;
using static TorchSharp.torch;

namespace RagTune.Models.Nn;

/// <summary>
/// The inference path of a <see cref="Linear"/> (either layout) with fp32 weights and fp32 activations on an AVX-512 CPU, gradients
/// off, at least <see cref="MinRows"/> input rows (an encoder batch, a prefill): our <see cref="Sgemm"/>, which runs
/// about twice as fast as libtorch's GEMM where MKL stays on its AVX2 kernels (AMD). Fewer rows (decode) keep libtorch
/// or the decode kernel. Results equal <c>linear(x, W, b)</c> up to the order of fp32 additions.
/// </summary>
internal static unsafe class FloatProjection
{
    /// <summary>Fewest input rows for which the packed GEMM pays for packing the weight.</summary>
    public const int MinRows = 16;

    /// <summary>Whether <see cref="TryForward"/> takes (<paramref name="rows"/> × in) inputs of type <paramref name="dtype"/>.</summary>
    public static bool Applies(Linear l, ScalarType dtype, long rows) =>
        Sgemm.IsSupported && rows >= MinRows && rows <= int.MaxValue && dtype == ScalarType.Float32 && !is_grad_enabled()
        && l.weight_scale is null && l.weight.dtype == ScalarType.Float32 && l.weight.device_type == DeviceType.CPU
        && l.weight.is_contiguous() && (l.bias is null || l.bias.dtype == ScalarType.Float32 && l.bias.is_contiguous())
        && l.InFeatures <= int.MaxValue && l.OutFeatures <= int.MaxValue;

    /// <summary>y = x·Wᵀ + b for <paramref name="x"/> (…, in), or null when the path does not apply.</summary>
    public static Tensor? TryForward(Linear l, Tensor x)
    {
        if (x.device_type != DeviceType.CPU || x.shape[^1] != l.InFeatures) return null;
        var rows = x.numel() / l.InFeatures;
        if (!Applies(l, x.dtype, rows)) return null;
        using var scope = NewDisposeScope();
        var outShape = x.shape.ToArray();
        outShape[^1] = l.OutFeatures;
        var y = Gemm(x.reshape(rows, l.InFeatures).contiguous(), l.weight, l.bias, l.IsConv1D);
        GC.KeepAlive(l);
        return y.view(outShape).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// y = x·Wᵀ + b for a contiguous fp32 <paramref name="x"/> (rows, in) and <paramref name="weight"/> (out, in), or
    /// y = x·W + b for <paramref name="weight"/> (in, out) when <paramref name="conv1D"/>: our GEMM where the CPU has
    /// AVX-512 and there are at least <see cref="MinRows"/> rows, else libtorch's.
    /// </summary>
    public static Tensor Gemm(Tensor x, Tensor weight, Tensor? bias, bool conv1D = false)
    {
        var (rows, outFeatures, inFeatures) = (x.shape[0], weight.shape[conv1D ? 1 : 0], weight.shape[conv1D ? 0 : 1]);
        if (!Sgemm.IsSupported || rows < MinRows || rows > int.MaxValue || outFeatures > int.MaxValue || inFeatures > int.MaxValue)
            return conv1D ? (bias is null ? x.matmul(weight) : addmm(bias, x, weight, 1, 1)) : nn.functional.linear(x, weight, bias);
        var y = empty([rows, outFeatures], ScalarType.Float32);
        Sgemm.Linear(TensorMemory.Pointer<float>(x), TensorMemory.Pointer<float>(weight), bias is null ? null : TensorMemory.Pointer<float>(bias),
            TensorMemory.Pointer<float>(y), (int)rows, (int)outFeatures, (int)inFeatures, InferenceKernels.Team, weightInOut: conv1D);
        return y;
    }
}
