using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RagTune.Models.Kernels;

/// <summary>
/// fp32 y = x·Wᵀ + b with AVX-512, for a projection's weight W stored <c>[n, k]</c> (Hugging Face's layout), in the
/// shape of BLIS (Van Zee &amp; van de Geijn 2015): W is packed into panels of <see cref="Nr"/> output columns
/// (k-major, so one k step is two 16-float loads), a block of x into panels of <see cref="Mr"/> rows (k-major, so one
/// k step is Mr broadcasts), and a 12 × 32 micro-kernel keeps its 24 accumulators in registers for a whole k block.
/// <para>
/// Why ours: libtorch's MKL picks its AVX2 kernels on AMD CPUs, which reach about 40 % of an AVX-512 core's peak (178
/// of 425 GFLOP/s on the 2-core Zen 5 build machine); ONNX Runtime's MLAS and llama.cpp use AVX-512 there.
/// </para>
/// Packing costs one pass over W per call (about 1 % of a 100-row projection), so nothing is cached: weights may change
/// between calls (fine-tuning, then evaluating).
/// </summary>
public static unsafe class Sgemm
{
    /// <summary>Rows of x per micro-kernel call.</summary>
    public const int Mr = 12;

    /// <summary>Output columns per micro-kernel call (two 16-float vectors).</summary>
    public const int Nr = 32;

    /// <summary>Inputs per k block: a 12-row panel of x (18 KB) stays in L1, a 32-column panel of W (48 KB) in L2.</summary>
    const int Kc = 384;

    /// <summary>Rows of x per unit of parallel work (a few packed A panels that every W panel is applied to).</summary>
    const int Mc = 8 * Mr;

    /// <summary>Work items a call is cut into at least (when there are enough panels), so two or more threads balance.</summary>
    const int MinItems = 8;

    /// <summary>Whether the CPU has the instructions (AVX-512 F).</summary>
    public static bool IsSupported => Avx512F.IsSupported;

    /// <summary>
    /// y[m, n] = Σₖ x[m, k]·w[n, k] + bias[n] (bias optional); row-major, x <c>[m, k]</c>, w <c>[n, k]</c> (or
    /// <c>[k, n]</c> with <paramref name="weightInOut"/>, GPT-2's Conv1D), y <c>[m, n]</c>. Runs on
    /// <paramref name="team"/> (null: the calling thread only).
    /// </summary>
    public static void Linear(float* x, float* w, float* bias, float* y, int m, int n, int k, DecodeTeam? team = null, bool weightInOut = false)
    {
        if (!IsSupported) throw new PlatformNotSupportedException("Sgemm needs AVX-512 F.");
        if (m <= 0 || n <= 0) return;
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        var panels = (n + Nr - 1) / Nr;
        var packedW = (float*)NativeMemory.AlignedAlloc((nuint)((long)panels * Nr * k * sizeof(float)), 64);
        var paddedBias = (float*)NativeMemory.AlignedAlloc((nuint)(panels * Nr * sizeof(float)), 64);
        try
        {
            new Span<float>(paddedBias, panels * Nr).Clear();
            if (bias is not null) new ReadOnlySpan<float>(bias, n).CopyTo(new Span<float>(paddedBias, n));
            Run(team, panels, 1, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (s, e) => { for (var p = s; p < e; p++) PackW(w, n, k, p, packedW + (long)p * Nr * k, weightInOut); });
            // Work items: a block of rows × a group of W panels. Few rows (a prefill) still make enough items for
            // every thread by splitting the columns; many rows keep whole rows of panels (x packed once per block).
            // Blocks are of equal size in whole 12-row panels (128 rows: 72 + 56, not 96 + 32) and items are ordered
            // group by group, so the team's guided claims (half the items first) get half the work each — with 96 +
            // 32 the first claim took every big block and two threads ran a prefill no faster than one.
            var blocks = (m + Mc - 1) / Mc;
            var blockRows = ((m + blocks - 1) / blocks + Mr - 1) / Mr * Mr;
            blocks = (m + blockRows - 1) / blockRows;
            var groups = team is { Size: > 1 } ? Math.Clamp((MinItems + blocks - 1) / blocks, 1, panels) : 1;
            Run(team, blocks * groups, 1, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (s, e) =>
            {
                // Rounded up to whole 12-row panels (zero rows are packed past the end).
                var packedX = (float*)NativeMemory.AlignedAlloc((nuint)((long)blockRows * Math.Min(Kc, k) * sizeof(float)), 64);
                try
                {
                    for (var item = s; item < e; item++)
                    {
                        var (b, g) = (item % blocks, item / blocks);
                        var (p0, p1) = (g * panels / groups, (g + 1) * panels / groups);
                        Block(x, packedW, paddedBias, y, n, k, b * blockRows, Math.Min(blockRows, m - b * blockRows), p0, p1, packedX);
                    }
                }
                finally { NativeMemory.AlignedFree(packedX); }
            });
        }
        finally
        {
            NativeMemory.AlignedFree(packedW);
            NativeMemory.AlignedFree(paddedBias);
        }
    }

    static void Run(DecodeTeam? team, int count, int grain, Action<int, int> body)
    {
        if (team is null) body(0, count);
        else team.Run(count, grain, body);
    }

    /// <summary>Panel p of W: columns [32p, 32p + 32) as k rows of 32 floats (zeros past n).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void PackW(float* w, int n, int k, int p, float* panel, bool weightInOut)
    {
        var columns = Math.Min(Nr, n - p * Nr);
        if (columns < Nr) new Span<float>(panel, Nr * k).Clear();
        if (weightInOut)
        {
            // [k, n]: each k row of the panel is a contiguous run of the weight's row.
            for (var i = 0; i < k; i++) new ReadOnlySpan<float>(w + (long)i * n + p * Nr, columns).CopyTo(new Span<float>(panel + i * Nr, columns));
            return;
        }
        // 8 × 8 tiles: eight weight rows read contiguously, transposed in registers, stored as 8 k rows of the panel —
        // contiguous loads where an 8-element gather per k step read one cache line per element. Columns past the last
        // 8-row group and k past the last multiple of 8 go element by element.
        var whole = k / 8 * 8;
        var grouped = columns / 8 * 8;
        for (var c0 = 0; c0 < grouped; c0 += 8)
        {
            var rows = w + (long)(p * Nr + c0) * k;
            for (var i = 0; i < whole; i += 8)
                Transpose8(rows + i, k, panel + (long)i * Nr + c0, Nr);
        }
        for (var c = 0; c < columns; c++)
        {
            var row = w + (long)(p * Nr + c) * k;
            for (var i = c < grouped ? whole : 0; i < k; i++) panel[i * Nr + c] = row[i];
        }
    }

    /// <summary>
    /// dst[j · ldd + r] = src[r · lds + j] for an 8 × 8 block: rows interleaved in pairs, then in fours, then the
    /// 128-bit halves exchanged.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Transpose8(float* src, long lds, float* dst, long ldd)
    {
        var r0 = Avx.LoadVector256(src);
        var r1 = Avx.LoadVector256(src + lds);
        var r2 = Avx.LoadVector256(src + 2 * lds);
        var r3 = Avx.LoadVector256(src + 3 * lds);
        var r4 = Avx.LoadVector256(src + 4 * lds);
        var r5 = Avx.LoadVector256(src + 5 * lds);
        var r6 = Avx.LoadVector256(src + 6 * lds);
        var r7 = Avx.LoadVector256(src + 7 * lds);
        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5);
        var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7);
        var t7 = Avx.UnpackHigh(r6, r7);
        var u0 = Avx.Shuffle(t0, t2, 0x44);
        var u1 = Avx.Shuffle(t0, t2, 0xEE);
        var u2 = Avx.Shuffle(t1, t3, 0x44);
        var u3 = Avx.Shuffle(t1, t3, 0xEE);
        var u4 = Avx.Shuffle(t4, t6, 0x44);
        var u5 = Avx.Shuffle(t4, t6, 0xEE);
        var u6 = Avx.Shuffle(t5, t7, 0x44);
        var u7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(dst, Avx.Permute2x128(u0, u4, 0x20));
        Avx.Store(dst + ldd, Avx.Permute2x128(u1, u5, 0x20));
        Avx.Store(dst + 2 * ldd, Avx.Permute2x128(u2, u6, 0x20));
        Avx.Store(dst + 3 * ldd, Avx.Permute2x128(u3, u7, 0x20));
        Avx.Store(dst + 4 * ldd, Avx.Permute2x128(u0, u4, 0x31));
        Avx.Store(dst + 5 * ldd, Avx.Permute2x128(u1, u5, 0x31));
        Avx.Store(dst + 6 * ldd, Avx.Permute2x128(u2, u6, 0x31));
        Avx.Store(dst + 7 * ldd, Avx.Permute2x128(u3, u7, 0x31));
    }

    /// <summary>Rows [row0, row0 + rows) × panels [p0, p1) of y, k block by k block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Block(float* x, float* packedW, float* bias, float* y, int n, int k, int row0, int rows, int p0, int p1, float* packedX)
    {
        var rowPanels = (rows + Mr - 1) / Mr;
        var tile = stackalloc float[Mr * Nr]; // edge tiles
        for (var k0 = 0; k0 < k; k0 += Kc)
        {
            var depth = Math.Min(Kc, k - k0);
            // x rows → panels of Mr rows, k-major, zero rows past the end.
            for (var rp = 0; rp < rowPanels; rp++)
            {
                var dst = packedX + rp * Mr * depth;
                var valid = Math.Min(Mr, rows - rp * Mr);
                var top = x + (long)(row0 + rp * Mr) * k + k0;
                if (valid == Mr)
                {
                    // 8 × 8 transposes of rows 0–7 and 4–11 (rows 4–7 written twice, the same values).
                    var whole = depth / 8 * 8;
                    for (var i = 0; i < whole; i += 8)
                    {
                        Transpose8(top + i, k, dst + i * Mr, Mr);
                        Transpose8(top + 4L * k + i, k, dst + i * Mr + 4, Mr);
                    }
                    for (var r = 0; r < Mr; r++)
                        for (var i = whole; i < depth; i++) dst[i * Mr + r] = top[(long)r * k + i];
                    continue;
                }
                for (var r = 0; r < Mr; r++)
                {
                    if (r >= valid) { for (var i = 0; i < depth; i++) dst[i * Mr + r] = 0; continue; }
                    var src = top + (long)r * k;
                    for (var i = 0; i < depth; i++) dst[i * Mr + r] = src[i];
                }
            }
            var first = k0 == 0;
            // Each x micro-panel (12 × depth, ≤ 18 KB) stays in L1 while every W panel of the range streams past it
            // from L2 (the k block of all panels: depth × n floats, 590 KB for n = depth = 384).
            for (var rp = 0; rp < rowPanels; rp++)
            {
                var valid = Math.Min(Mr, rows - rp * Mr);
                for (var p = p0; p < p1; p++)
                {
                    var columns = Math.Min(Nr, n - p * Nr);
                    var wPanel = packedW + (long)p * Nr * k + (long)k0 * Nr;
                    var target = y + (long)(row0 + rp * Mr) * n + p * Nr;
                    if (valid == Mr && columns == Nr)
                        Micro(packedX + rp * Mr * depth, wPanel, depth, target, n, first ? bias + p * Nr : null);
                    else
                    {
                        // Edge tile: computed whole into a scratch tile (bias or y's valid part, zeros elsewhere),
                        // then the valid part copied back.
                        new Span<float>(tile, Mr * Nr).Clear();
                        for (var r = 0; r < (first ? Mr : valid); r++)
                            (first ? new ReadOnlySpan<float>(bias + p * Nr, columns) : new ReadOnlySpan<float>(target + (long)r * n, columns))
                                .CopyTo(new Span<float>(tile + r * Nr, columns));
                        Micro(packedX + rp * Mr * depth, wPanel, depth, tile, Nr, null);
                        for (var r = 0; r < valid; r++)
                            new ReadOnlySpan<float>(tile + r * Nr, columns).CopyTo(new Span<float>(target + (long)r * n, columns));
                    }
                }
            }
        }
    }

    /// <summary>
    /// c[12, 32] (row stride <paramref name="ldc"/>) = a·b + (bias ?? c): a is 12 rows k-major, b 32 columns k-major.
    /// Twenty-four zmm accumulators, two for b, one broadcast: 27 of the 32 registers, so nothing spills.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Micro(float* a, float* b, int depth, float* c, int ldc, float* bias)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default,
            c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default,
            c60 = default, c61 = default, c70 = default, c71 = default, c80 = default, c81 = default,
            c90 = default, c91 = default, ca0 = default, ca1 = default, cb0 = default, cb1 = default;
        for (var i = 0; i < depth; i++, a += Mr, b += Nr)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            var v = Vector512.Create(a[0]); c00 = Avx512F.FusedMultiplyAdd(v, b0, c00); c01 = Avx512F.FusedMultiplyAdd(v, b1, c01);
            v = Vector512.Create(a[1]); c10 = Avx512F.FusedMultiplyAdd(v, b0, c10); c11 = Avx512F.FusedMultiplyAdd(v, b1, c11);
            v = Vector512.Create(a[2]); c20 = Avx512F.FusedMultiplyAdd(v, b0, c20); c21 = Avx512F.FusedMultiplyAdd(v, b1, c21);
            v = Vector512.Create(a[3]); c30 = Avx512F.FusedMultiplyAdd(v, b0, c30); c31 = Avx512F.FusedMultiplyAdd(v, b1, c31);
            v = Vector512.Create(a[4]); c40 = Avx512F.FusedMultiplyAdd(v, b0, c40); c41 = Avx512F.FusedMultiplyAdd(v, b1, c41);
            v = Vector512.Create(a[5]); c50 = Avx512F.FusedMultiplyAdd(v, b0, c50); c51 = Avx512F.FusedMultiplyAdd(v, b1, c51);
            v = Vector512.Create(a[6]); c60 = Avx512F.FusedMultiplyAdd(v, b0, c60); c61 = Avx512F.FusedMultiplyAdd(v, b1, c61);
            v = Vector512.Create(a[7]); c70 = Avx512F.FusedMultiplyAdd(v, b0, c70); c71 = Avx512F.FusedMultiplyAdd(v, b1, c71);
            v = Vector512.Create(a[8]); c80 = Avx512F.FusedMultiplyAdd(v, b0, c80); c81 = Avx512F.FusedMultiplyAdd(v, b1, c81);
            v = Vector512.Create(a[9]); c90 = Avx512F.FusedMultiplyAdd(v, b0, c90); c91 = Avx512F.FusedMultiplyAdd(v, b1, c91);
            v = Vector512.Create(a[10]); ca0 = Avx512F.FusedMultiplyAdd(v, b0, ca0); ca1 = Avx512F.FusedMultiplyAdd(v, b1, ca1);
            v = Vector512.Create(a[11]); cb0 = Avx512F.FusedMultiplyAdd(v, b0, cb0); cb1 = Avx512F.FusedMultiplyAdd(v, b1, cb1);
        }
        Vector512<float> add0, add1;
        if (bias is not null) (add0, add1) = (Vector512.Load(bias), Vector512.Load(bias + 16));
        else (add0, add1) = (default, default);
        Store(c, 0, ldc, c00, c01, bias is null, add0, add1);
        Store(c, 1, ldc, c10, c11, bias is null, add0, add1);
        Store(c, 2, ldc, c20, c21, bias is null, add0, add1);
        Store(c, 3, ldc, c30, c31, bias is null, add0, add1);
        Store(c, 4, ldc, c40, c41, bias is null, add0, add1);
        Store(c, 5, ldc, c50, c51, bias is null, add0, add1);
        Store(c, 6, ldc, c60, c61, bias is null, add0, add1);
        Store(c, 7, ldc, c70, c71, bias is null, add0, add1);
        Store(c, 8, ldc, c80, c81, bias is null, add0, add1);
        Store(c, 9, ldc, c90, c91, bias is null, add0, add1);
        Store(c, 10, ldc, ca0, ca1, bias is null, add0, add1);
        Store(c, 11, ldc, cb0, cb1, bias is null, add0, add1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Store(float* c, int row, int ldc, Vector512<float> v0, Vector512<float> v1, bool accumulate, Vector512<float> add0, Vector512<float> add1)
    {
        var p = c + (long)row * ldc;
        if (accumulate) (add0, add1) = (Vector512.Load(p), Vector512.Load(p + 16));
        (v0 + add0).Store(p);
        (v1 + add1).Store(p + 16);
    }
}
