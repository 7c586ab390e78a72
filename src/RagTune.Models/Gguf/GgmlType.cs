namespace RagTune.Models.Gguf;

/// <summary>
/// Tensor storage types of ggml that this reader knows (the <c>ggml_type</c> enum; the numbers are the on-disk tags).
/// Block types pack <see cref="GgmlTypes.BlockSize"/> consecutive row elements into <see cref="GgmlTypes.BlockBytes"/> bytes.
/// </summary>
public enum GgmlType : uint
{
    /// <summary>float32</summary>
    F32 = 0,
    /// <summary>IEEE half</summary>
    F16 = 1,
    /// <summary>blocks of 32: f16 scale, 16 bytes of 4-bit values (offset 8)</summary>
    Q4_0 = 2,
    /// <summary>blocks of 32: f16 scale, f16 min, 16 bytes of 4-bit values</summary>
    Q4_1 = 3,
    /// <summary>blocks of 32: f16 scale, 4 bytes of high bits, 16 bytes of low nibbles (offset 16)</summary>
    Q5_0 = 6,
    /// <summary>blocks of 32: f16 scale, f16 min, high bits, low nibbles</summary>
    Q5_1 = 7,
    /// <summary>blocks of 32: f16 scale, 32 int8 values</summary>
    Q8_0 = 8,
    /// <summary>super-blocks of 256: 8 sub-blocks of 32 with 6-bit scales and mins, 4-bit values</summary>
    Q4_K = 12,
    /// <summary>super-blocks of 256: as Q4_K plus one high bit per value</summary>
    Q5_K = 13,
    /// <summary>super-blocks of 256: 16 sub-blocks of 16 with int8 scales, 6-bit values (offset 32)</summary>
    Q6_K = 14,
    /// <summary>bfloat16</summary>
    BF16 = 30,
}
