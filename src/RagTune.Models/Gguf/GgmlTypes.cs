namespace RagTune.Models.Gguf;

/// <summary>Block geometry of the <see cref="GgmlType"/>s (ggml's <c>type_traits</c>: elements per block, bytes per block).</summary>
public static class GgmlTypes
{
    /// <summary>Whether <paramref name="type"/> is one this engine can read.</summary>
    public static bool IsKnown(GgmlType type) => Enum.IsDefined(type);

    /// <summary>Elements per block (1 for the plain float types).</summary>
    public static int BlockSize(GgmlType type) => type switch
    {
        GgmlType.F32 or GgmlType.F16 or GgmlType.BF16 => 1,
        GgmlType.Q4_0 or GgmlType.Q4_1 or GgmlType.Q5_0 or GgmlType.Q5_1 or GgmlType.Q8_0 => 32,
        GgmlType.Q4_K or GgmlType.Q5_K or GgmlType.Q6_K => 256,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown ggml type"),
    };

    /// <summary>Bytes per block.</summary>
    public static int BlockBytes(GgmlType type) => type switch
    {
        GgmlType.F32 => 4,
        GgmlType.F16 or GgmlType.BF16 => 2,
        GgmlType.Q4_0 => 2 + 16,
        GgmlType.Q4_1 => 4 + 16,
        GgmlType.Q5_0 => 2 + 4 + 16,
        GgmlType.Q5_1 => 4 + 4 + 16,
        GgmlType.Q8_0 => 2 + 32,
        GgmlType.Q4_K => 4 + 12 + 128,
        GgmlType.Q5_K => 4 + 12 + 32 + 128,
        GgmlType.Q6_K => 128 + 64 + 16 + 2,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown ggml type"),
    };

    /// <summary>Bytes of a row-major tensor whose innermost dimension is <paramref name="rowLength"/>.</summary>
    public static long ByteSize(GgmlType type, long rowLength, long rows) =>
        rowLength / BlockSize(type) * BlockBytes(type) * rows;
}
