using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RagTune.Models.Kernels;

/// <summary>A row-major weight matrix [rows, cols] in fp32 or bf16, seen through a raw pointer.</summary>
public readonly unsafe struct WeightRows(void* data, bool bf16, int rows, int cols)
{
    /// <summary>First element.</summary>
    public readonly void* Data = data;

    /// <summary>Whether elements are bf16 (else fp32).</summary>
    public readonly bool Bf16 = bf16;

    /// <summary>Output size.</summary>
    public readonly int Rows = rows;

    /// <summary>Input size (a multiple of 8).</summary>
    public readonly int Cols = cols;

    /// <summary>Bytes of one row.</summary>
    public int RowBytes => Cols * (Bf16 ? 2 : 4);
}

/// <summary>
/// Matrix–vector products for decode steps, y = W·x for a few input vectors: every weight row is read from memory
/// once for all inputs (the weights, not the arithmetic, bound a decode step). A row is consumed in one sequential
/// pass with four independent FMA chains — measured on 2-core EPYC machines this streams at ~90 % of the read
/// bandwidth, where interleaving four rows at once reached ~75 %. bf16 weights are widened in registers (bf16 is the
/// upper half of an fp32, so widening is a 16-bit shift): half the bytes of fp32 for the same arithmetic.
/// </summary>
public static unsafe class Gemv
{
    /// <summary>Whether this CPU runs the kernels (AVX2 + FMA).</summary>
    public static bool IsSupported => Avx2.IsSupported && Fma.IsSupported;

    /// <summary>
    /// For rows r in [<paramref name="start"/>, <paramref name="end"/>) and inputs b &lt; <paramref name="n"/>:
    /// y[b·yStride + r] = W[r]·x[b·W.Cols] (+ bias[r]), or += when <paramref name="accumulate"/>. W.Cols must be a
    /// multiple of 8. After the first input the row is in L1, so more inputs cost arithmetic, not bandwidth.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Rows(in WeightRows w, float* x, int n, float* y, int yStride, int start, int end, float* bias, bool accumulate)
    {
        var cols = w.Cols;
        for (var r = start; r < end; r++)
            for (var b = 0; b < n; b++)
            {
                var xb = x + (long)b * cols;
                var v = w.Bf16 ? DotBf16((ushort*)w.Data + (long)r * cols, xb, cols) : Dot((float*)w.Data + (long)r * cols, xb, cols);
                if (bias is not null) v += bias[r];
                var yr = y + (long)b * yStride + r;
                *yr = accumulate ? *yr + v : v;
            }
    }

    /// <summary>x·y over <paramref name="length"/> floats (a multiple of 8).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Dot(float* x, float* y, int length)
    {
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
        var c = 0;
        for (; c + 32 <= length; c += 32)
        {
            a0 = Fma.MultiplyAdd(Avx.LoadVector256(x + c), Avx.LoadVector256(y + c), a0);
            a1 = Fma.MultiplyAdd(Avx.LoadVector256(x + c + 8), Avx.LoadVector256(y + c + 8), a1);
            a2 = Fma.MultiplyAdd(Avx.LoadVector256(x + c + 16), Avx.LoadVector256(y + c + 16), a2);
            a3 = Fma.MultiplyAdd(Avx.LoadVector256(x + c + 24), Avx.LoadVector256(y + c + 24), a3);
        }
        for (; c < length; c += 8) a0 = Fma.MultiplyAdd(Avx.LoadVector256(x + c), Avx.LoadVector256(y + c), a0);
        return Vector256.Sum((a0 + a1) + (a2 + a3));
    }

    /// <summary>Eight bf16 values widened to fp32.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<float> LoadBf16(ushort* p) =>
        Avx2.ShiftLeftLogical(Avx2.ConvertToVector256Int32(p), 16).AsSingle();

    /// <summary>w·x for bf16 <paramref name="w"/> and fp32 <paramref name="x"/> over <paramref name="length"/> (a multiple of 8).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float DotBf16(ushort* w, float* x, int length)
    {
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
        var c = 0;
        for (; c + 32 <= length; c += 32)
        {
            a0 = Fma.MultiplyAdd(LoadBf16(w + c), Avx.LoadVector256(x + c), a0);
            a1 = Fma.MultiplyAdd(LoadBf16(w + c + 8), Avx.LoadVector256(x + c + 8), a1);
            a2 = Fma.MultiplyAdd(LoadBf16(w + c + 16), Avx.LoadVector256(x + c + 16), a2);
            a3 = Fma.MultiplyAdd(LoadBf16(w + c + 24), Avx.LoadVector256(x + c + 24), a3);
        }
        for (; c < length; c += 8) a0 = Fma.MultiplyAdd(LoadBf16(w + c), Avx.LoadVector256(x + c), a0);
        return Vector256.Sum((a0 + a1) + (a2 + a3));
    }

    /// <summary>y += a·x over <paramref name="length"/> floats (a multiple of 8).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddScaled(float* y, float a, float* x, int length)
    {
        var av = Vector256.Create(a);
        for (var c = 0; c < length; c += 8)
            Avx.Store(y + c, Fma.MultiplyAdd(av, Avx.LoadVector256(x + c), Avx.LoadVector256(y + c)));
    }
}
