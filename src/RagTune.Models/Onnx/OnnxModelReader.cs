namespace RagTune.Models.Onnx;

/// <summary>
/// Reads an ONNX model file into an <see cref="OnnxGraph"/> with <see cref="ProtoWireReader"/>. Field numbers are
/// onnx.proto's (ModelProto: opset_import 8, producer_name 2, graph 7; GraphProto: node 1, initializer 5, input 11,
/// output 12; NodeProto: input 1, output 2, name 3, op_type 4, attribute 5; TensorProto: dims 1, data_type 2,
/// float_data 4, int32_data 5, int64_data 7, name 8, raw_data 9, data_location 14).
/// </summary>
internal static class OnnxModelReader
{
    /// <summary>Reads <paramref name="path"/>; a file that is not an ONNX model or is cut short raises <see cref="ModelLoadException"/>.</summary>
    public static OnnxGraph Read(string path)
    {
        if (!File.Exists(path)) throw new ModelLoadException($"{path}: file not found.", path);
        return Read(File.ReadAllBytes(path), path);
    }

    /// <summary>Reads a model from memory; <paramref name="source"/> names it in errors.</summary>
    public static OnnxGraph Read(byte[] bytes, string source)
    {
        try
        {
            var model = new ProtoWireReader(bytes);
            OnnxGraph? graph = null;
            long opset = 0;
            var producer = "";
            while (!model.AtEnd)
            {
                var (field, wire) = model.ReadKey();
                switch (field)
                {
                    case 2 when wire == 2: producer = model.ReadString(); break;
                    case 7 when wire == 2: graph = ReadGraph(model.ReadMessage()); break;
                    case 8 when wire == 2: opset = Math.Max(opset, ReadOpset(model.ReadMessage())); break;
                    default: model.Skip(wire); break;
                }
            }
            if (graph is null || graph.Nodes.Count == 0)
                throw new ModelLoadException($"{source}: no ONNX graph found (not an ONNX model file?).", source);
            return graph with { Opset = opset, Producer = producer };
        }
        catch (InvalidDataException e)
        {
            throw new ModelLoadException($"{source}: not a readable ONNX model: {e.Message}.", source, inner: e);
        }
    }

    static long ReadOpset(ProtoWireReader r)
    {
        var (domain, version) = ("", 0L);
        while (!r.AtEnd)
        {
            var (field, wire) = r.ReadKey();
            if (field == 1 && wire == 2) domain = r.ReadString();
            else if (field == 2 && wire == 0) version = r.ReadInt64();
            else r.Skip(wire);
        }
        return domain is "" or "ai.onnx" ? version : 0;
    }

    static OnnxGraph ReadGraph(ProtoWireReader r)
    {
        var nodes = new List<OnnxNode>();
        var initializers = new Dictionary<string, OnnxTensor>(StringComparer.Ordinal);
        var (inputs, outputs) = (new List<string>(), new List<string>());
        while (!r.AtEnd)
        {
            var (field, wire) = r.ReadKey();
            switch (field)
            {
                case 1 when wire == 2: nodes.Add(ReadNode(r.ReadMessage())); break;
                case 5 when wire == 2: var t = ReadTensor(r.ReadMessage()); initializers[t.Name] = t; break;
                case 11 when wire == 2: inputs.Add(ReadValueInfoName(r.ReadMessage())); break;
                case 12 when wire == 2: outputs.Add(ReadValueInfoName(r.ReadMessage())); break;
                default: r.Skip(wire); break;
            }
        }
        return new OnnxGraph(nodes, initializers, inputs, outputs, 0, "");
    }

    static string ReadValueInfoName(ProtoWireReader r)
    {
        var name = "";
        while (!r.AtEnd)
        {
            var (field, wire) = r.ReadKey();
            if (field == 1 && wire == 2) name = r.ReadString();
            else r.Skip(wire);
        }
        return name;
    }

    static OnnxNode ReadNode(ProtoWireReader r)
    {
        var (inputs, outputs) = (new List<string>(), new List<string>());
        var attributes = new Dictionary<string, OnnxAttribute>(StringComparer.Ordinal);
        var (name, op) = ("", "");
        while (!r.AtEnd)
        {
            var (field, wire) = r.ReadKey();
            switch (field)
            {
                case 1 when wire == 2: inputs.Add(r.ReadString()); break;
                case 2 when wire == 2: outputs.Add(r.ReadString()); break;
                case 3 when wire == 2: name = r.ReadString(); break;
                case 4 when wire == 2: op = r.ReadString(); break;
                case 5 when wire == 2: var a = ReadAttribute(r.ReadMessage()); attributes[a.Name] = a; break;
                default: r.Skip(wire); break;
            }
        }
        return new OnnxNode(name, op, inputs, outputs, attributes);
    }

    static OnnxAttribute ReadAttribute(ProtoWireReader r)
    {
        var name = "";
        float? f = null;
        long? i = null;
        OnnxTensor? t = null;
        var (floats, ints) = (new List<float>(), new List<long>());
        while (!r.AtEnd)
        {
            var (field, wire) = r.ReadKey();
            switch (field)
            {
                case 1 when wire == 2: name = r.ReadString(); break;
                case 2 when wire == 5: f = r.ReadFixed32Float(); break;
                case 3 when wire == 0: i = r.ReadInt64(); break;
                case 5 when wire == 2: t = ReadTensor(r.ReadMessage()); break;
                case 7: r.ReadFloats(wire, floats); break;
                case 8: r.ReadInt64s(wire, ints); break;
                default: r.Skip(wire); break;
            }
        }
        return new OnnxAttribute(name, f, i, t, floats, ints);
    }

    static OnnxTensor ReadTensor(ProtoWireReader r)
    {
        var (dims, int32s, int64s) = (new List<long>(), new List<long>(), new List<long>());
        var floats = new List<float>();
        var (name, dataType, external) = ("", 0, false);
        ReadOnlyMemory<byte> raw = default;
        while (!r.AtEnd)
        {
            var (field, wire) = r.ReadKey();
            switch (field)
            {
                case 1: r.ReadInt64s(wire, dims); break;
                case 2 when wire == 0: dataType = (int)r.ReadVarint(); break;
                case 4: r.ReadFloats(wire, floats); break;
                case 5: r.ReadInt64s(wire, int32s); break;
                case 7: r.ReadInt64s(wire, int64s); break;
                case 8 when wire == 2: name = r.ReadString(); break;
                case 9 when wire == 2: raw = r.ReadBytes(); break;
                case 14 when wire == 0: external = r.ReadVarint() == 1; break;
                default: r.Skip(wire); break;
            }
        }
        return new OnnxTensor(name, [.. dims], dataType, raw, floats, int64s, int32s, external);
    }
}
