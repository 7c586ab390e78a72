using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RagTune.Models.Kernels;

/// <summary>
/// Stored weight rows (bf16, int8 blocks) widened to fp32 in one pass on the calling thread, for a prefill's libtorch
/// GEMM: exactly the values <c>weight.to_type(Float32)</c> and <c>int8 · scale</c> give (widening bf16 and int8 is
/// exact, the scale is one rounded product). One pass with no thread fan-out: libtorch's cast-then-scale takes two
/// passes over the fp32 copy and its OpenMP fan-out stalls when the cores are shared (measured 0.3–2.2 ms against
/// ~0.1 ms here for a 1536 × 576 int8 weight, two threads on the shared 2-core machine).
/// </summary>
public static unsafe class WeightWidening
{
    /// <summary>Rows [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>) of <paramref name="w"/> into <paramref name="destination"/> (row-major, W.Cols per row).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Rows(in WeightRows w, float* destination, long start, long count)
    {
        var cols = w.Cols;
        var n = count * cols;
        if (w.Format == WeightFormat.Bf16)
        {
            var p = (ushort*)w.Data + start * cols;
            long i = 0;
            if (Avx2.IsSupported)
                for (; i + 8 <= n; i += 8)
                    Avx.Store(destination + i, Avx2.ShiftLeftLogical(Avx2.ConvertToVector256Int32(p + i), 16).AsSingle());
            for (; i < n; i++) destination[i] = BitConverter.Int32BitsToSingle(p[i] << 16);
        }
        else if (w.Format == WeightFormat.Int8)
        {
            // Blocks of 32 consecutive elements share a scale; rows are a whole number of blocks.
            var q = (sbyte*)w.Data + start * cols;
            var scales = w.Scales + start * (cols / 32);
            for (long b = 0; b < n / 32; b++)
            {
                var from = q + b * 32;
                var to = destination + b * 32;
                var s = scales[b];
                if (Avx2.IsSupported)
                {
                    var sv = Vector256.Create(s);
                    for (var i = 0; i < 32; i += 8)
                        Avx.Store(to + i, Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(from + i)) * sv);
                }
                else
                    for (var i = 0; i < 32; i++) to[i] = from[i] * s;
            }
        }
        else
            Buffer.MemoryCopy((float*)w.Data + start * cols, destination, n * 4, n * 4);
    }
}
