using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace RagTune.Models.Kernels;

/// <summary>
/// softmax(q·kᵀ·scale + bias)·v at inference, one (batch, head) pair per work item on a <see cref="DecodeTeam"/> (or
/// the calling thread alone): the
/// two products are <see cref="Sgemm"/> calls on the calling thread (scores = q·kᵀ is a projection of q by k's rows;
/// out = p·v one by v stored [keys, d]), the softmax three vector passes over each score row. libtorch runs these as
/// batched small matrix products and a separate softmax, each a parallel region of its own; here each head stays in
/// one thread's cache from scores to output.
/// </summary>
public static unsafe class AttentionKernel
{
    /// <summary>Whether the kernel runs on this CPU (<see cref="Sgemm.IsSupported"/>).</summary>
    public static bool IsSupported => Sgemm.IsSupported;

    /// <summary>
    /// q (B, G, T, d), k and v (B, G, L, d), bias broadcastable to (B, G, T, L) with shape (B|1, 1, T|1, L) or null;
    /// fp32 on the CPU. Returns (B, G, T, d).
    /// </summary>
    public static Tensor Forward(Tensor q, Tensor k, Tensor v, Tensor? bias, DecodeTeam? team)
    {
        if (!IsSupported) throw new PlatformNotSupportedException("The attention kernel needs AVX-512 F.");
        var (b, g, t, d) = ((int)q.shape[0], (int)q.shape[1], (int)q.shape[2], (int)q.shape[3]);
        var l = (int)k.shape[2];
        if (k.shape[0] != b || k.shape[1] != g || k.shape[3] != d || !v.shape.SequenceEqual(k.shape))
            throw new ArgumentException($"attention shapes do not match: q [{string.Join(',', q.shape)}], k [{string.Join(',', k.shape)}], v [{string.Join(',', v.shape)}]");
        if (bias is not null && (bias.dim() != 4 || bias.shape[0] is var bb && bb != 1 && bb != b || bias.shape[1] != 1
            || bias.shape[2] is var bt && bt != 1 && bt != t || bias.shape[3] != l))
            throw new ArgumentException($"attention bias [{string.Join(',', bias.shape)}] does not broadcast to [{b},{g},{t},{l}] as (B|1, 1, T|1, L)");
        using var scope = NewDisposeScope();
        var (qc, kc, vc) = (q.contiguous(), k.contiguous(), v.contiguous());
        var biasC = bias?.to_type(ScalarType.Float32).contiguous();
        var y = empty([b, g, t, d], ScalarType.Float32);
        var (pq, pk, pv, py) = ((nint)TensorMemory.Pointer<float>(qc), (nint)TensorMemory.Pointer<float>(kc), (nint)TensorMemory.Pointer<float>(vc), (nint)TensorMemory.Pointer<float>(y));
        var pb = biasC is null ? 0 : (nint)TensorMemory.Pointer<float>(biasC);
        var (biasBatched, biasRows) = biasC is null ? (false, false) : (biasC.shape[0] == b && b > 1, biasC.shape[2] == t && t > 1);
        var scale = (float)(1.0 / Math.Sqrt(d));
        Action<int, int> heads = [MethodImpl(MethodImplOptions.AggressiveOptimization)] (start, end) =>
        {
            var scores = (float*)NativeMemory.AlignedAlloc((nuint)((long)t * l * sizeof(float)), 64);
            try
            {
                for (var item = start; item < end; item++)
                {
                    var batch = item / g;
                    var qh = (float*)pq + (long)item * t * d;
                    var kh = (float*)pk + (long)item * l * d;
                    var vh = (float*)pv + (long)item * l * d;
                    var yh = (float*)py + (long)item * t * d;
                    Sgemm.Linear(qh, kh, null, scores, t, l, d);
                    var biasHead = pb == 0 ? null : (float*)pb + (biasBatched ? (long)batch * (biasRows ? t : 1) * l : 0);
                    for (var i = 0; i < t; i++)
                        Softmax(scores + (long)i * l, l, scale, biasHead is null ? null : biasHead + (biasRows ? (long)i * l : 0));
                    Sgemm.Linear(scores, vh, null, yh, t, d, l, weightInOut: true);
                }
            }
            finally { NativeMemory.AlignedFree(scores); }
        };
        if (team is null) heads(0, b * g);
        else team.Run(b * g, 1, heads);
        GC.KeepAlive(qc); GC.KeepAlive(kc); GC.KeepAlive(vc); GC.KeepAlive(biasC);
        return y.MoveToOuterDisposeScope();
    }

    /// <summary>row = softmax(row · scale + bias) in place, in three vector passes (scale and bias with the maximum, exp
    /// with the sum, the division); a handful of scalar tail elements.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Softmax(float* row, int length, float scale, float* bias)
    {
        var vectors = length / 16 * 16;
        var maxV = Vector512.Create(float.NegativeInfinity);
        var scaleV = Vector512.Create(scale);
        for (var j = 0; j < vectors; j += 16)
        {
            var v = Vector512.Load(row + j) * scaleV;
            if (bias is not null) v += Vector512.Load(bias + j);
            v.Store(row + j);
            maxV = Vector512.Max(maxV, v);
        }
        var max = float.NegativeInfinity;
        if (vectors > 0) for (var lane = 0; lane < 16; lane++) max = MathF.Max(max, maxV[lane]);
        for (var j = vectors; j < length; j++)
        {
            row[j] = row[j] * scale + (bias is null ? 0 : bias[j]);
            max = MathF.Max(max, row[j]);
        }
        var maxB = Vector512.Create(max);
        var sumV = Vector512<float>.Zero;
        for (var j = 0; j < vectors; j += 16)
        {
            var e = Vector512.Exp(Vector512.Load(row + j) - maxB);
            e.Store(row + j);
            sumV += e;
        }
        var sum = Vector512.Sum(sumV);
        for (var j = vectors; j < length; j++) sum += row[j] = MathF.Exp(row[j] - max);
        var inverse = 1 / sum;
        var inverseV = Vector512.Create(inverse);
        for (var j = 0; j < vectors; j += 16) (Vector512.Load(row + j) * inverseV).Store(row + j);
        for (var j = vectors; j < length; j++) row[j] *= inverse;
    }
}
