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
                    if (w.Format == WeightFormat.Bf16) Dot2Rows4InputsBf16((ushort*)w.Data + (long)r * cols, x + (long)b * cols, cols, sums);
                    else Dot2Rows4Inputs((float*)w.Data + (long)r * cols, x + (long)b * cols, cols, sums);
                    for (var i = 0; i < 4; i++)
                    {
                        Store(y + (long)(b + i) * yStride + r, sums[i], bias, r, accumulate);
                        Store(y + (long)(b + i) * yStride + r + 1, sums[4 + i], bias, r + 1, accumulate);
                    }
                }
                for (; b < n; b++)
                    for (var rr = r; rr < r + 2; rr++)
                    {
                        Store(y + (long)b * yStride + rr, w.DotRow(rr, x + (long)b * cols), bias, rr, accumulate);
                    }
            }
        for (; r < end; r++)
        {
            var b = 0;
            for (; b + 4 <= n && w.Format != WeightFormat.Int8; b += 4)
            {
                if (w.Format == WeightFormat.Bf16) Dot4InputsBf16((ushort*)w.Data + (long)r * cols, x + (long)b * cols, cols, sums);
                else Dot4Inputs((float*)w.Data + (long)r * cols, x + (long)b * cols, cols, sums);
                for (var i = 0; i < 4; i++) Store(y + (long)(b + i) * yStride + r, sums[i], bias, r, accumulate);
            }
            for (; b < n; b++)
            {
                Store(y + (long)b * yStride + r, w.DotRow(r, x + (long)b * cols), bias, r, accumulate);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Store(float* y, float v, float* bias, int r, bool accumulate)
    {
        if (bias is not null) v += bias[r];
        *y = accumulate ? *y + v : v;
    }

    /// <summary>Two consecutive weight rows against four consecutive inputs; sums[4·row + input].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Dot2Rows4Inputs(float* w, float* x, int cols, float* sums)
    {
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, b0 = default, b1 = default, b2 = default, b3 = default;
        float* w1 = w + cols, x1 = x + cols, x2 = x1 + cols, x3 = x2 + cols;
        for (var c = 0; c < cols; c += 8)
        {
            var (u, v) = (Avx.LoadVector256(w + c), Avx.LoadVector256(w1 + c));
            var (p0, p1, p2, p3) = (Avx.LoadVector256(x + c), Avx.LoadVector256(x1 + c), Avx.LoadVector256(x2 + c), Avx.LoadVector256(x3 + c));
            a0 = Fma.MultiplyAdd(u, p0, a0); a1 = Fma.MultiplyAdd(u, p1, a1); a2 = Fma.MultiplyAdd(u, p2, a2); a3 = Fma.MultiplyAdd(u, p3, a3);
            b0 = Fma.MultiplyAdd(v, p0, b0); b1 = Fma.MultiplyAdd(v, p1, b1); b2 = Fma.MultiplyAdd(v, p2, b2); b3 = Fma.MultiplyAdd(v, p3, b3);
        }
        (sums[0], sums[1], sums[2], sums[3]) = (Vector256.Sum(a0), Vector256.Sum(a1), Vector256.Sum(a2), Vector256.Sum(a3));
        (sums[4], sums[5], sums[6], sums[7]) = (Vector256.Sum(b0), Vector256.Sum(b1), Vector256.Sum(b2), Vector256.Sum(b3));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Dot2Rows4InputsBf16(ushort* w, float* x, int cols, float* sums)
    {
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, b0 = default, b1 = default, b2 = default, b3 = default;
        ushort* w1 = w + cols;
        float* x1 = x + cols, x2 = x1 + cols, x3 = x2 + cols;
        for (var c = 0; c < cols; c += 8)
        {
            var (u, v) = (LoadBf16(w + c), LoadBf16(w1 + c));
            var (p0, p1, p2, p3) = (Avx.LoadVector256(x + c), Avx.LoadVector256(x1 + c), Avx.LoadVector256(x2 + c), Avx.LoadVector256(x3 + c));
            a0 = Fma.MultiplyAdd(u, p0, a0); a1 = Fma.MultiplyAdd(u, p1, a1); a2 = Fma.MultiplyAdd(u, p2, a2); a3 = Fma.MultiplyAdd(u, p3, a3);
            b0 = Fma.MultiplyAdd(v, p0, b0); b1 = Fma.MultiplyAdd(v, p1, b1); b2 = Fma.MultiplyAdd(v, p2, b2); b3 = Fma.MultiplyAdd(v, p3, b3);
        }
        (sums[0], sums[1], sums[2], sums[3]) = (Vector256.Sum(a0), Vector256.Sum(a1), Vector256.Sum(a2), Vector256.Sum(a3));
        (sums[4], sums[5], sums[6], sums[7]) = (Vector256.Sum(b0), Vector256.Sum(b1), Vector256.Sum(b2), Vector256.Sum(b3));
    }

    /// <summary>One weight row against four consecutive inputs (<paramref name="cols"/> apart).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Dot4Inputs(float* w, float* x, int cols, float* sums)
    {
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
        float* x1 = x + cols, x2 = x1 + cols, x3 = x2 + cols;
        for (var c = 0; c < cols; c += 8)
        {
            var wv = Avx.LoadVector256(w + c);
            a0 = Fma.MultiplyAdd(wv, Avx.LoadVector256(x + c), a0);
            a1 = Fma.MultiplyAdd(wv, Avx.LoadVector256(x1 + c), a1);
            a2 = Fma.MultiplyAdd(wv, Avx.LoadVector256(x2 + c), a2);
            a3 = Fma.MultiplyAdd(wv, Avx.LoadVector256(x3 + c), a3);
        }
        sums[0] = Vector256.Sum(a0);
        sums[1] = Vector256.Sum(a1);
        sums[2] = Vector256.Sum(a2);
        sums[3] = Vector256.Sum(a3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Dot4InputsBf16(ushort* w, float* x, int cols, float* sums)
    {
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
        float* x1 = x + cols, x2 = x1 + cols, x3 = x2 + cols;
        for (var c = 0; c < cols; c += 8)
        {
            var wv = LoadBf16(w + c);
            a0 = Fma.MultiplyAdd(wv, Avx.LoadVector256(x + c), a0);
            a1 = Fma.MultiplyAdd(wv, Avx.LoadVector256(x1 + c), a1);
            a2 = Fma.MultiplyAdd(wv, Avx.LoadVector256(x2 + c), a2);
            a3 = Fma.MultiplyAdd(wv, Avx.LoadVector256(x3 + c), a3);
        }
        sums[0] = Vector256.Sum(a0);
        sums[1] = Vector256.Sum(a1);
        sums[2] = Vector256.Sum(a2);
        sums[3] = Vector256.Sum(a3);
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

    /// <summary>g ← silu(g)·u = g / (1 + e^(−g)) · u elementwise over <paramref name="length"/> floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SiluTimes(float* g, float* u, int length)
    {
        var i = 0;
        for (; i + 8 <= length; i += 8)
        {
            var gv = Avx.LoadVector256(g + i);
            Avx.Store(g + i, gv / (Vector256<float>.One + Vector256.Exp(-gv)) * Avx.LoadVector256(u + i));
        }
        for (; i < length; i++) g[i] = g[i] / (1f + MathF.Exp(-g[i])) * u[i];
    }

    /// <summary>x ← e^(x − shift) elementwise (−∞ → 0); returns the sum — softmax's numerator and denominator.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float ExpShiftedInPlace(float* x, int length, float shift)
    {
        var i = 0;
        var sums = Vector256<float>.Zero;
        var shiftV = Vector256.Create(shift);
        for (; i + 8 <= length; i += 8)
        {
            var e = Vector256.Exp(Avx.LoadVector256(x + i) - shiftV);
            Avx.Store(x + i, e);
            sums += e;
        }
        var sum = Vector256.Sum(sums);
        for (; i < length; i++) sum += x[i] = MathF.Exp(x[i] - shift);
        return sum;
    }

    /// <summary>
    /// w·x for an int8 row in blocks of 32 with one scale each: the block's products are summed in fp32, then scaled
    /// (two running totals so consecutive blocks do not wait on each other).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float DotInt8(sbyte* w, float* scales, float* x, int length)
    {
        Vector256<float> t0 = default, t1 = default;
        for (int c = 0, block = 0; c < length; c += 32, block++)
        {
            var a0 = LoadInt8(w + c) * Avx.LoadVector256(x + c);
            var a1 = LoadInt8(w + c + 8) * Avx.LoadVector256(x + c + 8);
            a0 = Fma.MultiplyAdd(LoadInt8(w + c + 16), Avx.LoadVector256(x + c + 16), a0);
            a1 = Fma.MultiplyAdd(LoadInt8(w + c + 24), Avx.LoadVector256(x + c + 24), a1);
            if ((block & 1) == 0) t0 = Fma.MultiplyAdd(a0 + a1, Vector256.Create(scales[block]), t0);
            else t1 = Fma.MultiplyAdd(a0 + a1, Vector256.Create(scales[block]), t1);
        }
        return Vector256.Sum(t0 + t1);
    }

    /// <summary>Eight int8 values widened to fp32.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<float> LoadInt8(sbyte* p) => Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(p));

    /// <summary>
    /// scores[j] = x · rows[j] · scale for <paramref name="count"/> consecutive rows of <paramref name="dim"/> floats
    /// (a multiple of 8): four rows at a time, their four sums reduced together.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void DotRows(float* x, float* rows, int count, int dim, float scale, float* scores)
    {
        var j = 0;
        for (; j + 4 <= count; j += 4)
        {
            float* r0 = rows + (long)j * dim, r1 = r0 + dim, r2 = r1 + dim, r3 = r2 + dim;
            Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
            for (var c = 0; c < dim; c += 8)
            {
                var xv = Avx.LoadVector256(x + c);
                a0 = Fma.MultiplyAdd(xv, Avx.LoadVector256(r0 + c), a0);
                a1 = Fma.MultiplyAdd(xv, Avx.LoadVector256(r1 + c), a1);
                a2 = Fma.MultiplyAdd(xv, Avx.LoadVector256(r2 + c), a2);
                a3 = Fma.MultiplyAdd(xv, Avx.LoadVector256(r3 + c), a3);
            }
            // hadd(hadd(a0, a1), hadd(a2, a3)) holds each row's partial sums per 128-bit lane; add the two lanes.
            var h = Avx.HorizontalAdd(Avx.HorizontalAdd(a0, a1), Avx.HorizontalAdd(a2, a3));
            var sums = Sse.Add(h.GetLower(), h.GetUpper());
            Sse.Store(scores + j, Sse.Multiply(sums, Vector128.Create(scale)));
        }
        for (; j < count; j++) scores[j] = Dot(x, rows + (long)j * dim, dim) * scale;
    }

    /// <summary>
    /// output = scale · Σ_j weights[j] · rows[j] over <paramref name="count"/> rows of <paramref name="dim"/> floats (a
    /// multiple of 8), 64 columns at a time kept in registers across all rows.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void WeightedSum(float* weights, float* rows, int count, int dim, float scale, float* output)
    {
        var c = 0;
        for (; c + 64 <= dim; c += 64)
        {
            Vector256<float> o0 = default, o1 = default, o2 = default, o3 = default, o4 = default, o5 = default, o6 = default, o7 = default;
            for (var j = 0; j < count; j++)
            {
                if (weights[j] == 0) continue;
                var w = Vector256.Create(weights[j]);
                var r = rows + (long)j * dim + c;
                o0 = Fma.MultiplyAdd(w, Avx.LoadVector256(r), o0);
                o1 = Fma.MultiplyAdd(w, Avx.LoadVector256(r + 8), o1);
                o2 = Fma.MultiplyAdd(w, Avx.LoadVector256(r + 16), o2);
                o3 = Fma.MultiplyAdd(w, Avx.LoadVector256(r + 24), o3);
                o4 = Fma.MultiplyAdd(w, Avx.LoadVector256(r + 32), o4);
                o5 = Fma.MultiplyAdd(w, Avx.LoadVector256(r + 40), o5);
                o6 = Fma.MultiplyAdd(w, Avx.LoadVector256(r + 48), o6);
                o7 = Fma.MultiplyAdd(w, Avx.LoadVector256(r + 56), o7);
            }
            var sv = Vector256.Create(scale);
            Avx.Store(output + c, o0 * sv); Avx.Store(output + c + 8, o1 * sv); Avx.Store(output + c + 16, o2 * sv); Avx.Store(output + c + 24, o3 * sv);
            Avx.Store(output + c + 32, o4 * sv); Avx.Store(output + c + 40, o5 * sv); Avx.Store(output + c + 48, o6 * sv); Avx.Store(output + c + 56, o7 * sv);
        }
        for (; c < dim; c += 8)
        {
            var o = Vector256<float>.Zero;
            for (var j = 0; j < count; j++) o = Fma.MultiplyAdd(Vector256.Create(weights[j]), Avx.LoadVector256(rows + (long)j * dim + c), o);
            Avx.Store(output + c, o * Vector256.Create(scale));
        }
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
