using static TorchSharp.torch;

namespace RagTune.Models.SafeTensors;

/// <summary>One tensor entry of a safetensors header.</summary>
/// <param name="Name">The tensor's key.</param>
/// <param name="DType">The dtype string as written (<c>F32</c>, <c>BF16</c>, …).</param>
/// <param name="Shape">The shape (empty for a scalar).</param>
/// <param name="Begin">Absolute byte offset of the data in the file.</param>
/// <param name="Length">Number of data bytes.</param>
public sealed record SafeTensorInfo(string Name, string DType, long[] Shape, long Begin, long Length)
{
    /// <summary>The TorchSharp type of <see cref="DType"/>, or null when TorchSharp cannot hold it.</summary>
    public ScalarType? ScalarType => SafeTensorsDTypes.ToScalarType(DType);

    /// <summary>Number of elements (product of the shape).</summary>
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);
}
