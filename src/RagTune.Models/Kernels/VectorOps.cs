using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RagTune.Models.Kernels;

/// <summary>The vector operations of a decode step besides the projections: attention scores and mixing, softmax, SwiGLU.</summary>
public static unsafe class VectorOps
{
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
        for (; j < count; j++) scores[j] = Gemv.Dot(x, rows + (long)j * dim, dim) * scale;
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
}
