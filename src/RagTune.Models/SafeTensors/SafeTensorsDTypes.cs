using static TorchSharp.torch;

namespace RagTune.Models.SafeTensors;

/// <summary>The safetensors dtype strings (<c>F32</c>, <c>BF16</c>, …) and their TorchSharp equivalents.</summary>
public static class SafeTensorsDTypes
{
    static readonly Dictionary<string, (ScalarType? Type, int Size)> ByName = new(StringComparer.Ordinal)
    {
        ["BOOL"] = (ScalarType.Bool, 1),
        ["U8"] = (ScalarType.Byte, 1),
        ["I8"] = (ScalarType.Int8, 1),
        ["I16"] = (ScalarType.Int16, 2),
        ["I32"] = (ScalarType.Int32, 4),
        ["I64"] = (ScalarType.Int64, 8),
        ["F16"] = (ScalarType.Float16, 2),
        ["BF16"] = (ScalarType.BFloat16, 2),
        ["F32"] = (ScalarType.Float32, 4),
        ["F64"] = (ScalarType.Float64, 8),
        // Valid in the format but without a TorchSharp tensor type: parsed and validated, not loadable.
        ["U16"] = (null, 2),
        ["U32"] = (null, 4),
        ["U64"] = (null, 8),
        ["F8_E4M3"] = (null, 1),
        ["F8_E5M2"] = (null, 1),
    };

    /// <summary>All dtype strings the reader accepts.</summary>
    public static IReadOnlyCollection<string> Names => ByName.Keys;

    /// <summary>Size in bytes of one element of <paramref name="dtype"/>, or false for an unknown dtype string.</summary>
    public static bool TryGetElementSize(string dtype, out int size)
    {
        size = ByName.TryGetValue(dtype, out var e) ? e.Size : 0;
        return size > 0;
    }

    /// <summary>The TorchSharp scalar type of a dtype string, or null when TorchSharp has no such tensor type.</summary>
    public static ScalarType? ToScalarType(string dtype) => ByName.TryGetValue(dtype, out var e) ? e.Type : null;

    /// <summary>The dtype string for a TorchSharp scalar type.</summary>
    public static string FromScalarType(ScalarType type) => type switch
    {
        ScalarType.Bool => "BOOL",
        ScalarType.Byte => "U8",
        ScalarType.Int8 => "I8",
        ScalarType.Int16 => "I16",
        ScalarType.Int32 => "I32",
        ScalarType.Int64 => "I64",
        ScalarType.Float16 => "F16",
        ScalarType.BFloat16 => "BF16",
        ScalarType.Float32 => "F32",
        ScalarType.Float64 => "F64",
        _ => throw new NotSupportedException($"safetensors has no dtype for {type}."),
    };
}
