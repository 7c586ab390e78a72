using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace RagTune.Models.Gguf;

/// <summary>
/// ggml's tensor encodings, written from the block layouts of the GGUF/ggml specification: dequantization of the
/// float and block types to float32, and Q8_0 quantization (the one block type the exporter writes).
/// </summary>
public static class GgmlQuantization
{
    const int QK = 32;
    const int QKK = 256;

    /// <summary>Decodes <paramref name="count"/> elements of <paramref name="type"/> from <paramref name="data"/>.</summary>
    public static float[] Dequantize(GgmlType type, ReadOnlySpan<byte> data, long count)
    {
        var expected = GgmlTypes.ByteSize(type, count, 1);
        if (count % GgmlTypes.BlockSize(type) != 0 || data.Length != expected)
            throw new ArgumentException($"{type}: {data.Length} bytes do not hold {count} elements (expected {expected} bytes).", nameof(data));
        var y = new float[count];
        switch (type)
        {
            case GgmlType.F32:
                for (var i = 0; i < y.Length; i++) y[i] = BinaryPrimitives.ReadSingleLittleEndian(data[(4 * i)..]);
                break;
            case GgmlType.F16:
                for (var i = 0; i < y.Length; i++) y[i] = Half(data, 2 * i);
                break;
            case GgmlType.BF16:
                for (var i = 0; i < y.Length; i++) y[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(data[(2 * i)..]) << 16);
                break;
            default:
                var blockBytes = GgmlTypes.BlockBytes(type);
                var blockSize = GgmlTypes.BlockSize(type);
                for (long b = 0; b < count / blockSize; b++)
                {
                    var block = data.Slice((int)(b * blockBytes), blockBytes);
                    var output = y.AsSpan((int)(b * blockSize), blockSize);
                    switch (type)
                    {
                        case GgmlType.Q8_0: Q8_0(block, output); break;
                        case GgmlType.Q4_0: Q4_0(block, output); break;
                        case GgmlType.Q4_1: Q4_1(block, output); break;
                        case GgmlType.Q5_0: Q5(block, output, hasMin: false); break;
                        case GgmlType.Q5_1: Q5(block, output, hasMin: true); break;
                        case GgmlType.Q4_K: Q4_K(block, output); break;
                        case GgmlType.Q5_K: Q5_K(block, output); break;
                        case GgmlType.Q6_K: Q6_K(block, output); break;
                        default: throw new ArgumentOutOfRangeException(nameof(type), type, "no decoder");
                    }
                }
                break;
        }
        return y;
    }

    /// <summary>
    /// Q8_0: per block of 32, d = max|x| / 127 (stored as f16) and q = round-half-away(x / d) — the scheme of
    /// gguf-py's quantizer, so a file we write holds the values llama.cpp's own converter would.
    /// </summary>
    public static byte[] QuantizeQ8_0(ReadOnlySpan<float> x)
    {
        if (x.Length % QK != 0) throw new ArgumentException($"Q8_0 needs a multiple of {QK} elements, got {x.Length}.", nameof(x));
        var output = new byte[x.Length / QK * 34];
        for (var b = 0; b < x.Length / QK; b++)
        {
            var block = x.Slice(b * QK, QK);
            var amax = 0f;
            foreach (var v in block) amax = MathF.Max(amax, MathF.Abs(v));
            var d = amax / 127f;
            var id = d == 0 ? 0f : 1f / d;
            var o = output.AsSpan(b * 34, 34);
            BinaryPrimitives.WriteHalfLittleEndian(o, (Half)d);
            for (var i = 0; i < QK; i++) o[2 + i] = (byte)(sbyte)MathF.Round(block[i] * id, MidpointRounding.AwayFromZero);
        }
        return output;
    }

    /// <summary>
    /// Splits Q8_0 data into int8 values and float32 scales (the exact f16 scale widened) — the layout of
    /// <see cref="Nn.Linear"/>'s int8 blocks, so a Q8_0 file runs on the int8 decode kernel unchanged.
    /// </summary>
    public static (sbyte[] Values, float[] Scales) SplitQ8_0(ReadOnlySpan<byte> data)
    {
        var blocks = data.Length / 34;
        var values = new sbyte[blocks * QK];
        var scales = new float[blocks];
        for (var b = 0; b < blocks; b++)
        {
            scales[b] = Half(data, b * 34);
            for (var i = 0; i < QK; i++) values[b * QK + i] = (sbyte)data[b * 34 + 2 + i];
        }
        return (values, scales);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static float Half(ReadOnlySpan<byte> data, int offset) => (float)BinaryPrimitives.ReadHalfLittleEndian(data[offset..]);

    static void Q8_0(ReadOnlySpan<byte> b, Span<float> y)
    {
        var d = Half(b, 0);
        for (var i = 0; i < QK; i++) y[i] = (sbyte)b[2 + i] * d;
    }

    // Low nibbles are elements 0..15, high nibbles 16..31.
    static void Q4_0(ReadOnlySpan<byte> b, Span<float> y)
    {
        var d = Half(b, 0);
        for (var i = 0; i < 16; i++)
        {
            y[i] = ((b[2 + i] & 0xF) - 8) * d;
            y[i + 16] = ((b[2 + i] >> 4) - 8) * d;
        }
    }

    static void Q4_1(ReadOnlySpan<byte> b, Span<float> y)
    {
        float d = Half(b, 0), m = Half(b, 2);
        for (var i = 0; i < 16; i++)
        {
            y[i] = (b[4 + i] & 0xF) * d + m;
            y[i + 16] = (b[4 + i] >> 4) * d + m;
        }
    }

    // Q5_0 / Q5_1: the fifth bit of element j is bit j of the 32-bit qh word.
    static void Q5(ReadOnlySpan<byte> b, Span<float> y, bool hasMin)
    {
        var d = Half(b, 0);
        var m = hasMin ? Half(b, 2) : 0f;
        var at = hasMin ? 4 : 2;
        var qh = BinaryPrimitives.ReadUInt32LittleEndian(b[at..]);
        var qs = b[(at + 4)..];
        for (var i = 0; i < 16; i++)
        {
            var lo = (qs[i] & 0xF) | (int)(((qh >> i) & 1) << 4);
            var hi = (qs[i] >> 4) | (int)(((qh >> (i + 16)) & 1) << 4);
            y[i] = hasMin ? lo * d + m : (lo - 16) * d;
            y[i + 16] = hasMin ? hi * d + m : (hi - 16) * d;
        }
    }

    // K-quants: 8 sub-blocks of 32 share 6-bit scales and mins packed into 12 bytes.
    static (int Scale, int Min) ScaleMin(ReadOnlySpan<byte> q, int j) => j < 4
        ? (q[j] & 63, q[j + 4] & 63)
        : ((q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4), (q[j + 4] >> 4) | ((q[j] >> 6) << 4));

    static void Q4_K(ReadOnlySpan<byte> b, Span<float> y)
    {
        float d = Half(b, 0), dmin = Half(b, 2);
        var scales = b.Slice(4, 12);
        var qs = b[16..];
        for (var chunk = 0; chunk < 4; chunk++)
        {
            var (s1, m1) = ScaleMin(scales, 2 * chunk);
            var (s2, m2) = ScaleMin(scales, 2 * chunk + 1);
            var q = qs.Slice(32 * chunk, 32);
            var o = y.Slice(64 * chunk, 64);
            for (var l = 0; l < 32; l++)
            {
                o[l] = d * s1 * (q[l] & 0xF) - dmin * m1;
                o[l + 32] = d * s2 * (q[l] >> 4) - dmin * m2;
            }
        }
    }

    static void Q5_K(ReadOnlySpan<byte> b, Span<float> y)
    {
        float d = Half(b, 0), dmin = Half(b, 2);
        var scales = b.Slice(4, 12);
        var qh = b.Slice(16, 32);
        var qs = b[48..];
        for (var chunk = 0; chunk < 4; chunk++)
        {
            var (s1, m1) = ScaleMin(scales, 2 * chunk);
            var (s2, m2) = ScaleMin(scales, 2 * chunk + 1);
            var q = qs.Slice(32 * chunk, 32);
            var o = y.Slice(64 * chunk, 64);
            int u1 = 1 << (2 * chunk), u2 = 2 << (2 * chunk);
            for (var l = 0; l < 32; l++)
            {
                o[l] = d * s1 * ((q[l] & 0xF) + ((qh[l] & u1) != 0 ? 16 : 0)) - dmin * m1;
                o[l + 32] = d * s2 * ((q[l] >> 4) + ((qh[l] & u2) != 0 ? 16 : 0)) - dmin * m2;
            }
        }
    }

    // Q6_K: low 4 bits in ql, high 2 bits in qh, int8 scale per 16 elements, one f16 super-scale at the end.
    static void Q6_K(ReadOnlySpan<byte> b, Span<float> y)
    {
        var ql = b[..128];
        var qh = b.Slice(128, 64);
        var sc = b.Slice(192, 16);
        var d = Half(b, 208);
        for (var half = 0; half < 2; half++)
        {
            var l4 = ql.Slice(64 * half, 64);
            var h = qh.Slice(32 * half, 32);
            var s = sc.Slice(8 * half, 8);
            var o = y.Slice(128 * half, 128);
            for (var l = 0; l < 32; l++)
            {
                var k = l / 16;
                var q1 = ((l4[l] & 0xF) | (((h[l] >> 0) & 3) << 4)) - 32;
                var q2 = ((l4[l + 32] & 0xF) | (((h[l] >> 2) & 3) << 4)) - 32;
                var q3 = ((l4[l] >> 4) | (((h[l] >> 4) & 3) << 4)) - 32;
                var q4 = ((l4[l + 32] >> 4) | (((h[l] >> 6) & 3) << 4)) - 32;
                o[l] = d * (sbyte)s[k] * q1;
                o[l + 32] = d * (sbyte)s[k + 2] * q2;
                o[l + 64] = d * (sbyte)s[k + 4] * q3;
                o[l + 96] = d * (sbyte)s[k + 6] * q4;
            }
        }
    }
}
