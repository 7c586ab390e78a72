using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RagTune.Models.Kernels;

/// <summary>How a weight matrix's elements are stored.</summary>
public enum WeightFormat
{
    /// <summary>fp32.</summary>
    F32,

    /// <summary>bf16 (the upper half of an fp32).</summary>
    Bf16,

    /// <summary>int8 in blocks of 32 inputs, each with an fp32 scale (<see cref="Nn.Linear.QuantizeToInt8"/>).</summary>
    Int8,
}

/// <summary>A row-major weight matrix [rows, cols] seen through raw pointers (int8 rows come with their block scales).</summary>
public readonly unsafe struct WeightRows(void* data, WeightFormat format, int rows, int cols, float* scales = null)
{
    /// <summary>First element.</summary>
    public readonly void* Data = data;

    /// <summary>Element storage.</summary>
    public readonly WeightFormat Format = format;

    /// <summary>Output size.</summary>
    public readonly int Rows = rows;

    /// <summary>Input size (a multiple of 8; of 32 for int8).</summary>
    public readonly int Cols = cols;

    /// <summary>Int8 only: scales [rows, cols / 32].</summary>
    public readonly float* Scales = scales;

    /// <summary>Bytes of one row (scales included).</summary>
    public int RowBytes => Format switch { WeightFormat.F32 => Cols * 4, WeightFormat.Bf16 => Cols * 2, _ => Cols + Cols / 32 * 4 };

    /// <summary>Row <paramref name="r"/> · <paramref name="x"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float DotRow(long r, float* x) => Format switch
    {
        WeightFormat.F32 => Gemv.Dot((float*)Data + r * Cols, x, Cols),
        WeightFormat.Bf16 => Gemv.DotBf16((ushort*)Data + r * Cols, x, Cols),
        _ => Gemv.DotInt8((sbyte*)Data + r * Cols, Scales + r * (Cols / 32), x, Cols),
    };
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
        var sums = stackalloc float[8];
        var r = start;
        if (n >= 4 && w.Format != WeightFormat.Int8)
            // Two rows × four inputs per pass: eight independent FMA chains fed by six loads, where one row × one input
            // is load-bound (two loads per FMA) once the rows sit in L1.
            for (; r + 2 <= end; r += 2)
            {
                var b = 0;
                for (; b + 4 <= n; b += 4)
                {
                    if (w.Format == WeightFormat.Bf16) Dot2Rows4Inputs<FromBf16, ushort>((ushort*)w.Data + (long)r * cols, x + (long)b * cols, cols, sums);
                    else Dot2Rows4Inputs<FromF32, float>((float*)w.Data + (long)r * cols, x + (long)b * cols, cols, sums);
                    for (var i = 0; i < 4; i++)
                    {
                        Store(y + (long)(b + i) * yStride + r, sums[i], bias, r, accumulate);
                        Store(y + (long)(b + i) * yStride + r + 1, sums[4 + i], bias, r + 1, accumulate);
                    }
                }
                for (; b < n; b++)
                    for (var rr = r; rr < r + 2; rr++)
                        Store(y + (long)b * yStride + rr, w.DotRow(rr, x + (long)b * cols), bias, rr, accumulate);
            }
        // One row at a time (single inputs, int8, an odd last row): the row streams once, later inputs read it from L1.
        for (; r < end; r++)
            for (var b = 0; b < n; b++)
                Store(y + (long)b * yStride + r, w.DotRow(r, x + (long)b * cols), bias, r, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Store(float* y, float v, float* bias, int r, bool accumulate)
    {
        if (bias is not null) v += bias[r];
        *y = accumulate ? *y + v : v;
    }

    /// <summary>Two consecutive weight rows against four consecutive inputs; sums[4·row + input].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Dot2Rows4Inputs<TWiden, T>(T* w, float* x, int cols, float* sums) where TWiden : struct, IWiden<T> where T : unmanaged
    {
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, b0 = default, b1 = default, b2 = default, b3 = default;
        T* w1 = w + cols;
        float* x1 = x + cols, x2 = x1 + cols, x3 = x2 + cols;
        for (var c = 0; c < cols; c += 8)
        {
            var (u, v) = (TWiden.Load(w + c), TWiden.Load(w1 + c));
            var (p0, p1, p2, p3) = (Avx.LoadVector256(x + c), Avx.LoadVector256(x1 + c), Avx.LoadVector256(x2 + c), Avx.LoadVector256(x3 + c));
            a0 = Fma.MultiplyAdd(u, p0, a0); a1 = Fma.MultiplyAdd(u, p1, a1); a2 = Fma.MultiplyAdd(u, p2, a2); a3 = Fma.MultiplyAdd(u, p3, a3);
            b0 = Fma.MultiplyAdd(v, p0, b0); b1 = Fma.MultiplyAdd(v, p1, b1); b2 = Fma.MultiplyAdd(v, p2, b2); b3 = Fma.MultiplyAdd(v, p3, b3);
        }
        (sums[0], sums[1], sums[2], sums[3]) = (Vector256.Sum(a0), Vector256.Sum(a1), Vector256.Sum(a2), Vector256.Sum(a3));
        (sums[4], sums[5], sums[6], sums[7]) = (Vector256.Sum(b0), Vector256.Sum(b1), Vector256.Sum(b2), Vector256.Sum(b3));
    }

    /// <summary>x·y over <paramref name="length"/> floats (a multiple of 8).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Dot(float* x, float* y, int length) => Dot<FromF32, float>(x, y, length);

    /// <summary>w·x for bf16 <paramref name="w"/> and fp32 <paramref name="x"/> over <paramref name="length"/> (a multiple of 8).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float DotBf16(ushort* w, float* x, int length) => Dot<FromBf16, ushort>(w, x, length);

    /// <summary>One sequential pass over a row with four independent FMA chains.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static float Dot<TWiden, T>(T* w, float* x, int length) where TWiden : struct, IWiden<T> where T : unmanaged
    {
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
        var c = 0;
        for (; c + 32 <= length; c += 32)
        {
            a0 = Fma.MultiplyAdd(TWiden.Load(w + c), Avx.LoadVector256(x + c), a0);
            a1 = Fma.MultiplyAdd(TWiden.Load(w + c + 8), Avx.LoadVector256(x + c + 8), a1);
            a2 = Fma.MultiplyAdd(TWiden.Load(w + c + 16), Avx.LoadVector256(x + c + 16), a2);
            a3 = Fma.MultiplyAdd(TWiden.Load(w + c + 24), Avx.LoadVector256(x + c + 24), a3);
        }
        for (; c < length; c += 8) a0 = Fma.MultiplyAdd(TWiden.Load(w + c), Avx.LoadVector256(x + c), a0);
        return Vector256.Sum((a0 + a1) + (a2 + a3));
    }

    /// <summary>Eight stored weights widened to fp32 (a type parameter, so each format gets its own compiled loop).</summary>
    interface IWiden<T> where T : unmanaged
    {
        static abstract Vector256<float> Load(T* p);
    }

    readonly struct FromF32 : IWiden<float>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Load(float* p) => Avx.LoadVector256(p);
    }

    /// <summary>bf16 is the upper half of an fp32: widening is a 16-bit left shift.</summary>
    readonly struct FromBf16 : IWiden<ushort>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Load(ushort* p) => Avx2.ShiftLeftLogical(Avx2.ConvertToVector256Int32(p), 16).AsSingle();
    }

    /// <summary>
    /// w·x for an int8 row in blocks of 32 with one scale each: the block's products are summed in fp32, then scaled
    /// (two blocks per iteration into two running totals, so consecutive blocks do not wait on each other).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float DotInt8(sbyte* w, float* scales, float* x, int length) => DotInt8(w, scales, x, length, HasAvx512);

    /// <summary><see cref="DotInt8(sbyte*, float*, float*, int)"/> with the vector width chosen by the caller (tests check both paths).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float DotInt8(sbyte* w, float* scales, float* x, int length, bool useAvx512)
    {
        if (useAvx512) return DotInt8Avx512(w, scales, x, length);
        Vector256<float> t0 = default, t1 = default;
        var c = 0;
        for (; c + 64 <= length; c += 64)
        {
            var a0 = Fma.MultiplyAdd(LoadInt8(w + c + 16), Avx.LoadVector256(x + c + 16), LoadInt8(w + c) * Avx.LoadVector256(x + c));
            var a1 = Fma.MultiplyAdd(LoadInt8(w + c + 24), Avx.LoadVector256(x + c + 24), LoadInt8(w + c + 8) * Avx.LoadVector256(x + c + 8));
            var b0 = Fma.MultiplyAdd(LoadInt8(w + c + 48), Avx.LoadVector256(x + c + 48), LoadInt8(w + c + 32) * Avx.LoadVector256(x + c + 32));
            var b1 = Fma.MultiplyAdd(LoadInt8(w + c + 56), Avx.LoadVector256(x + c + 56), LoadInt8(w + c + 40) * Avx.LoadVector256(x + c + 40));
            t0 = Fma.MultiplyAdd(a0 + a1, Vector256.Create(scales[c / 32]), t0);
            t1 = Fma.MultiplyAdd(b0 + b1, Vector256.Create(scales[c / 32 + 1]), t1);
        }
        if (c < length) // an odd last block
        {
            var a0 = Fma.MultiplyAdd(LoadInt8(w + c + 16), Avx.LoadVector256(x + c + 16), LoadInt8(w + c) * Avx.LoadVector256(x + c));
            var a1 = Fma.MultiplyAdd(LoadInt8(w + c + 24), Avx.LoadVector256(x + c + 24), LoadInt8(w + c + 8) * Avx.LoadVector256(x + c + 8));
            t0 = Fma.MultiplyAdd(a0 + a1, Vector256.Create(scales[c / 32]), t0);
        }
        return Vector256.Sum(t0 + t1);
    }

    /// <summary>
    /// Int8 rows use 512-bit vectors where the CPU has AVX-512 (measured ~5–10 % faster on the EPYC build machines: the
    /// int8 dot is bound by its widening instructions, and one 512-bit instruction does two 256-bit ones' work). A fact
    /// of the CPU, read once; tests pick the width per call instead.
    /// </summary>
    internal static readonly bool HasAvx512 = Avx512F.IsSupported;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static float DotInt8Avx512(sbyte* w, float* scales, float* x, int length)
    {
        Vector512<float> t0 = default, t1 = default;
        var c = 0;
        for (; c + 64 <= length; c += 64)
        {
            var a = Avx512F.FusedMultiplyAdd(LoadInt8x16(w + c + 16), Vector512.Load(x + c + 16), LoadInt8x16(w + c) * Vector512.Load(x + c));
            var b = Avx512F.FusedMultiplyAdd(LoadInt8x16(w + c + 48), Vector512.Load(x + c + 48), LoadInt8x16(w + c + 32) * Vector512.Load(x + c + 32));
            t0 = Avx512F.FusedMultiplyAdd(a, Vector512.Create(scales[c / 32]), t0);
            t1 = Avx512F.FusedMultiplyAdd(b, Vector512.Create(scales[c / 32 + 1]), t1);
        }
        if (c < length)
        {
            var a = Avx512F.FusedMultiplyAdd(LoadInt8x16(w + c + 16), Vector512.Load(x + c + 16), LoadInt8x16(w + c) * Vector512.Load(x + c));
            t0 = Avx512F.FusedMultiplyAdd(a, Vector512.Create(scales[c / 32]), t0);
        }
        return Vector512.Sum(t0 + t1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector512<float> LoadInt8x16(sbyte* p) => Avx512F.ConvertToVector512Single(Avx512F.ConvertToVector512Int32(Vector128.Load(p)));

    /// <summary>Eight int8 values widened to fp32.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<float> LoadInt8(sbyte* p) => Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(p));
}
