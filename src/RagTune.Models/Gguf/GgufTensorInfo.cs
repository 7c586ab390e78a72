namespace RagTune.Models.Gguf;

/// <summary>
/// One tensor of a GGUF file. <paramref name="Dimensions"/> are ggml's <c>ne</c>: innermost (row length) first, so a
/// PyTorch <c>[out, in]</c> weight has dimensions <c>[in, out]</c>. <paramref name="Offset"/> is relative to the data
/// section.
/// </summary>
public sealed record GgufTensorInfo(string Name, long[] Dimensions, GgmlType Type, long Offset)
{
    /// <summary>Number of elements.</summary>
    public long ElementCount => Dimensions.Aggregate(1L, (a, b) => a * b);

    /// <summary>Bytes in the file.</summary>
    public long ByteSize => GgmlTypes.ByteSize(Type, Dimensions[0], ElementCount / Dimensions[0]);

    /// <summary>The PyTorch shape (outermost first): the reversed <see cref="Dimensions"/>.</summary>
    public long[] Shape => Dimensions.Reverse().ToArray();
}
