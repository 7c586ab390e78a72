using TorchSharp;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static TorchSharp.torch;

namespace RagTune.Models.Kernels;

/// <summary>
/// <c>y = x · Wᵀ</c> for the few-row inputs of a decode step (x: (n, in) with n ≤ 8, W: (out, in) row-major,
/// fp32 or bf16). Decoding is bound by streaming the weights from memory; libtorch's gemv reaches about half the
/// machine's read bandwidth here, this kernel reads each weight row once for all n inputs, splits rows over the
/// cores with <see cref="WorkerPair"/> and keeps several FMA chains in flight.
/// </summary>
public static unsafe class DecodeGemv
{
    /// <summary>Largest input row count handled (more rows: use a GEMM).</summary>
    public const int MaxRows = 8;

    /// <summary>True when the kernel applies: AVX2+FMA, CPU, contiguous, n ≤ <see cref="MaxRows"/>, fp32 input, fp32/bf16 weight.</summary>
    public static bool Supports(Tensor x2d, Tensor weight) =>
        Avx2.IsSupported && Fma.IsSupported && x2d.dim() == 2 && x2d.shape[0] <= MaxRows
        && x2d.dtype == ScalarType.Float32 && weight.dtype is ScalarType.Float32 or ScalarType.BFloat16
        && x2d.device_type == DeviceType.CPU && weight.device_type == DeviceType.CPU
        && weight.dim() == 2 && weight.shape[1] == x2d.shape[1] && weight.shape[1] % 8 == 0
        && weight.is_contiguous() && (!weight.requires_grad || !is_grad_enabled());

    /// <summary>x (n, in) · Wᵀ → (n, out), fp32. Check <see cref="Supports"/> first.</summary>
    public static Tensor Multiply(Tensor x2d, Tensor weight)
    {
        var x = x2d.is_contiguous() ? x2d : x2d.contiguous();
        var n = (int)x.shape[0];
        var cols = (int)weight.shape[1];
        var rows = (int)weight.shape[0];
        var y = empty(n, rows, ScalarType.Float32);
        var px = TensorMemory.Pointer<float>(x);
        var py = TensorMemory.Pointer<float>(y);
        if (weight.dtype == ScalarType.Float32)
        {
            var pw = TensorMemory.Pointer<float>(weight);
            WorkerPair.Shared.Run((part, parts) =>
            {
                var (start, end) = Split(rows, part, parts);
                RowsF32(pw, px, py, n, rows, cols, start, end);
            });
        }
        else
        {
            var pw = TensorMemory.Pointer<ushort>(weight);
            WorkerPair.Shared.Run((part, parts) =>
            {
                var (start, end) = Split(rows, part, parts);
                RowsBf16(pw, px, py, n, rows, cols, start, end);
            });
        }
        GC.KeepAlive(weight);
        GC.KeepAlive(x);
        return y;
    }

    static (int Start, int End) Split(int rows, int part, int parts)
    {
        // Blocks of 4 rows so the 4-row inner kernel never straddles two threads.
        var blocks = (rows + 3) / 4;
        var start = Math.Min(rows, blocks * part / parts * 4);
        var end = Math.Min(rows, blocks * (part + 1) / parts * 4);
        return (start, end);
    }

    static void RowsF32(float* w, float* x, float* y, int n, int rows, int cols, int start, int end)
    {
        var r = start;
        if (n == 1)
            for (; r + 4 <= end; r += 4)
                Dot4(w + (long)r * cols, cols, x, y + r);
        for (; r < end; r++)
            for (var j = 0; j < n; j++)
                y[(long)j * rows + r] = Dot(w + (long)r * cols, x + (long)j * cols, cols);
    }

    static void RowsBf16(ushort* w, float* x, float* y, int n, int rows, int cols, int start, int end)
    {
        var r = start;
        if (n == 1)
            for (; r + 4 <= end; r += 4)
                Dot4Bf16(w + (long)r * cols, cols, x, y + r);
        for (; r < end; r++)
            for (var j = 0; j < n; j++)
                y[(long)j * rows + r] = DotBf16(w + (long)r * cols, x + (long)j * cols, cols);
    }

    /// <summary>Four weight rows against one input: four independent FMA chains, x loaded once per chunk.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Dot4(float* w, int cols, float* x, float* y)
    {
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
        float* w1 = w + cols, w2 = w1 + cols, w3 = w2 + cols;
        for (var c = 0; c < cols; c += 8)
        {
            var xv = Avx.LoadVector256(x + c);
            a0 = Fma.MultiplyAdd(Avx.LoadVector256(w + c), xv, a0);
            a1 = Fma.MultiplyAdd(Avx.LoadVector256(w1 + c), xv, a1);
            a2 = Fma.MultiplyAdd(Avx.LoadVector256(w2 + c), xv, a2);
            a3 = Fma.MultiplyAdd(Avx.LoadVector256(w3 + c), xv, a3);
        }
        y[0] = Vector256.Sum(a0);
        y[1] = Vector256.Sum(a1);
        y[2] = Vector256.Sum(a2);
        y[3] = Vector256.Sum(a3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static float Dot(float* w, float* x, int cols)
    {
        Vector256<float> a0 = default, a1 = default;
        var c = 0;
        for (; c + 16 <= cols; c += 16)
        {
            a0 = Fma.MultiplyAdd(Avx.LoadVector256(w + c), Avx.LoadVector256(x + c), a0);
            a1 = Fma.MultiplyAdd(Avx.LoadVector256(w + c + 8), Avx.LoadVector256(x + c + 8), a1);
        }
        for (; c < cols; c += 8) a0 = Fma.MultiplyAdd(Avx.LoadVector256(w + c), Avx.LoadVector256(x + c), a0);
        return Vector256.Sum(a0 + a1);
    }

    /// <summary>bf16 → fp32 is a 16-bit left shift of the bit pattern (bf16 is the top half of an fp32).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<float> LoadBf16(ushort* p) =>
        Avx2.ShiftLeftLogical(Avx2.ConvertToVector256Int32(p), 16).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Dot4Bf16(ushort* w, int cols, float* x, float* y)
    {
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
        ushort* w1 = w + cols, w2 = w1 + cols, w3 = w2 + cols;
        for (var c = 0; c < cols; c += 8)
        {
            var xv = Avx.LoadVector256(x + c);
            a0 = Fma.MultiplyAdd(LoadBf16(w + c), xv, a0);
            a1 = Fma.MultiplyAdd(LoadBf16(w1 + c), xv, a1);
            a2 = Fma.MultiplyAdd(LoadBf16(w2 + c), xv, a2);
            a3 = Fma.MultiplyAdd(LoadBf16(w3 + c), xv, a3);
        }
        y[0] = Vector256.Sum(a0);
        y[1] = Vector256.Sum(a1);
        y[2] = Vector256.Sum(a2);
        y[3] = Vector256.Sum(a3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static float DotBf16(ushort* w, float* x, int cols)
    {
        Vector256<float> a0 = default;
        for (var c = 0; c < cols; c += 8) a0 = Fma.MultiplyAdd(LoadBf16(w + c), Avx.LoadVector256(x + c), a0);
        return Vector256.Sum(a0);
    }
}
