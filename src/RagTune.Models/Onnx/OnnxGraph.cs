using System.Runtime.InteropServices;

namespace RagTune.Models.Onnx;

/// <summary>
/// The parts of an ONNX <c>ModelProto</c> the importer uses (https://github.com/onnx/onnx/blob/main/onnx/onnx.proto):
/// the graph's nodes in order, its initializers by name, its input/output names and the default-domain opset.
/// </summary>
internal sealed record OnnxGraph(
    IReadOnlyList<OnnxNode> Nodes,
    IReadOnlyDictionary<string, OnnxTensor> Initializers,
    IReadOnlyList<string> Inputs,
    IReadOnlyList<string> Outputs,
    long Opset,
    string Producer)
{
    /// <summary>A constant value by name: an initializer or the output of a <c>Constant</c> node.</summary>
    public OnnxTensor? Constant(string name)
    {
        if (Initializers.TryGetValue(name, out var t)) return t;
        _constants ??= Nodes.Where(n => n.OpType == "Constant" && n.Outputs.Count == 1 && n.Attributes.ContainsKey("value"))
            .ToDictionary(n => n.Outputs[0], n => n.Attributes["value"].Tensor!);
        return _constants.GetValueOrDefault(name);
    }

    Dictionary<string, OnnxTensor>? _constants;
}

/// <summary>A <c>NodeProto</c>: operator, input and output value names, attributes.</summary>
internal sealed record OnnxNode(string Name, string OpType, IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs,
    IReadOnlyDictionary<string, OnnxAttribute> Attributes);

/// <summary>An <c>AttributeProto</c> (float, int, tensor and their lists; strings and sub-graphs are not needed).</summary>
internal sealed record OnnxAttribute(string Name, float? Float, long? Int, OnnxTensor? Tensor, IReadOnlyList<float> Floats, IReadOnlyList<long> Ints);

/// <summary>A <c>TensorProto</c>: dims, element type and the data (raw little-endian bytes or the typed arrays).</summary>
internal sealed record OnnxTensor(string Name, long[] Dims, int DataType, ReadOnlyMemory<byte> RawData,
    IReadOnlyList<float> FloatData, IReadOnlyList<long> Int64Data, IReadOnlyList<long> Int32Data, bool External)
{
    /// <summary>TensorProto.DataType values used here.</summary>
    public const int Float = 1, Int32 = 6, Int64 = 7, Double = 11;

    public long ElementCount => Dims.Aggregate(1L, (a, d) => a * d);

    /// <summary>The values as fp32 (FLOAT tensors only).</summary>
    public float[] ToFloats(string file)
    {
        if (DataType != Float) throw new ModelLoadException($"{file}: tensor '{Name}' has ONNX data type {DataType}, expected FLOAT (1).", file, Name);
        if (External) throw new ModelLoadException($"{file}: tensor '{Name}' is stored in an external data file, which is not supported. HINT: export with all weights inside the .onnx file.", file, Name);
        float[] values;
        if (RawData.Length > 0)
        {
            if (RawData.Length != ElementCount * 4)
                throw new ModelLoadException($"{file}: tensor '{Name}' has {RawData.Length} bytes of data, expected {ElementCount * 4} for shape [{string.Join(", ", Dims)}].", file, Name);
            values = MemoryMarshal.Cast<byte, float>(RawData.Span).ToArray(); // ONNX raw data is little-endian, as is every platform we run on
        }
        else values = [.. FloatData];
        if (values.Length != ElementCount)
            throw new ModelLoadException($"{file}: tensor '{Name}' has {values.Length} values, expected {ElementCount} for shape [{string.Join(", ", Dims)}].", file, Name);
        return values;
    }

    /// <summary>The values as doubles, whatever the numeric type (small constants: shapes, scales, epsilons).</summary>
    public double[] ToDoubles()
    {
        var raw = RawData.Span;
        return DataType switch
        {
            Float => raw.Length > 0 ? MemoryMarshal.Cast<byte, float>(raw).ToArray().Select(v => (double)v).ToArray() : FloatData.Select(v => (double)v).ToArray(),
            Double => raw.Length > 0 ? MemoryMarshal.Cast<byte, double>(raw).ToArray() : [],
            Int64 => raw.Length > 0 ? MemoryMarshal.Cast<byte, long>(raw).ToArray().Select(v => (double)v).ToArray() : Int64Data.Select(v => (double)v).ToArray(),
            Int32 => raw.Length > 0 ? MemoryMarshal.Cast<byte, int>(raw).ToArray().Select(v => (double)v).ToArray() : Int32Data.Select(v => (double)v).ToArray(),
            _ => [],
        };
    }
}
